import { binary } from '../ops/elementwise.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { tidy } from '../tensor/tracking.js';
import type { Tensor } from '../tensor/tensor.js';
import { full } from '../tensor/creation.js';
import { popTape, pushTape, type Tape } from './tape.js';

/**
 * Reverse walk of the tape from the scalar `y`: returns the gradients of the tape's tracked
 * tensors that are leaves (the sources), keyed by tensor id. Each node's output gradient is
 * disposed as soon as the node has been processed, so peak memory stays near one layer's worth.
 */
export function backward(tape: Tape, y: Tensor): Map<number, Tensor> {
  const grads = new Map<number, Tensor>();
  if (!tape.isTracked(y)) return grads;
  pushTape(null); // gradients of gradients are not recorded
  try {
    grads.set(y.id, full(y.shape, 1));
    for (let n = tape.nodes.length - 1; n >= 0; n--) {
      const node = tape.nodes[n]!;
      const dy = grads.get(node.output.id);
      if (!dy) continue;
      grads.delete(node.output.id);
      const needed = node.inputs.map((t) => t.id >= 0 && tape.isTracked(t));
      const inputGrads = tidy(() => [...node.vjp(dy, node.saved, needed)]);
      const consumed = new Set<Tensor>();
      node.inputs.forEach((input, i) => {
        let g = inputGrads[i] ?? null;
        if (!g || !needed[i]) return;
        if (!shapeEquals(g.shape, input.shape)) {
          throw new Error(`autograd: the gradient of '${node.op}' for input ${i} has shape ${fmtShape(g.shape)}, expected ${fmtShape(input.shape)}`);
        }
        // The vjp may pass dy or a saved tensor through, or return one tensor twice: give each
        // accumulated gradient its own reference so disposals stay balanced.
        if (g === dy || node.saved.includes(g) || consumed.has(g)) g = g.view(g.shape, 'backward');
        consumed.add(g);
        const previous = grads.get(input.id);
        if (previous) {
          grads.set(input.id, binary('add', previous, g));
          previous.dispose();
          g.dispose();
        } else {
          grads.set(input.id, g);
        }
      });
      for (const g of inputGrads) {
        if (g && !consumed.has(g) && g !== dy && !node.saved.includes(g)) g.dispose();
      }
      dy.dispose();
    }
  } finally {
    popTape(null);
  }
  return grads;
}
