import { keep } from '../tensor/tracking.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * The reverse-mode tape (after micrograd's engine and tinygrad's gradient table): each op that
 * reads a tracked tensor appends a node (inputs, output, saved tensors, vjp). Ops run in
 * dependency order, so the recorded order is already a topological sort; backward walks it in
 * reverse. Saved tensors are private aliases, so a tensor disposed (e.g. by a `tidy` inside the
 * differentiated function) keeps its buffer until the tape is released.
 */

/**
 * Computes the input gradients from the output gradient `dy`. `needed[i]` says whether input i
 * wants a gradient, so a vjp can skip work (return null there).
 */
export type Vjp = (dy: Tensor, saved: readonly Tensor[], needed: readonly boolean[]) => readonly (Tensor | null)[];

export interface TapeNode {
  op: string;
  inputs: readonly Tensor[];
  output: Tensor;
  saved: readonly Tensor[];
  vjp: Vjp;
}

export class Tape {
  readonly nodes: TapeNode[] = [];
  /** Ids of tensors whose gradient this tape can produce (sources and everything computed from them). */
  readonly tracked = new Set<number>();

  track(t: Tensor): void {
    this.tracked.add(t.id);
  }

  isTracked(t: Tensor): boolean {
    return this.tracked.has(t.id);
  }

  /** Releases the saved tensors. */
  release(): void {
    for (const node of this.nodes) for (const s of node.saved) s.dispose();
    this.nodes.length = 0;
    this.tracked.clear();
  }
}

/** Active tapes, innermost last; `null` entries pause recording (noGrad). */
const tapes: (Tape | null)[] = [];

export function pushTape(tape: Tape | null): void {
  tapes.push(tape);
}

export function popTape(tape: Tape | null): void {
  const top = tapes.pop();
  if (top !== tape) throw new Error('autograd: tape stack corrupted (nested grad scopes ended out of order)');
}

function activeTape(): Tape | null {
  return tapes.length ? tapes[tapes.length - 1]! : null;
}

/** Whether an op with these inputs must be recorded (cheap check ops use to skip saving). */
export function needsGrad(inputs: readonly (Tensor | null | undefined)[]): boolean {
  const tape = activeTape();
  if (!tape) return false;
  return inputs.some((t) => t != null && tape.isTracked(t));
}

/**
 * Records an op on the innermost active tape if any input is tracked there. `save` lists the
 * tensors the vjp reads; the vjp receives private aliases of them in the same order.
 */
export function record(op: string, inputs: readonly (Tensor | null | undefined)[], output: Tensor, save: readonly Tensor[], vjp: Vjp): void {
  const tape = activeTape();
  if (!tape) return;
  if (!inputs.some((t) => t != null && tape.isTracked(t))) return;
  if (output.dtype !== 'float32') return;
  tape.track(output);
  const saved = save.map((t) => t.view(t.shape, op));
  // Saved aliases belong to the tape, not to whatever tidy scope is active.
  for (const s of saved) keep(s);
  tape.nodes.push({ op, inputs: inputs.map((t) => t ?? NO_INPUT), output, saved, vjp });
}

/** Placeholder for optional inputs (e.g. a missing bias); never tracked. */
const NO_INPUT = { id: -1 } as Tensor;
