import { record } from '../autograd/tape.js';
import { broadcastShapes, fmtShape, shapeEquals, sizeOf } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { runMap } from './map.js';
import { ACTIVATIONS, matmulKernel, type Activation } from './matmul-kernel.js';
import { sum } from './reduce.js';
import { broadcastTo, reshape } from './shape-ops.js';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  /** Added to every row of the result ([N]); fused into the kernel. */
  bias?: Tensor | null;
  /** Applied after the bias; fused into the kernel. */
  activation?: Activation;
}

interface Operand3 {
  /** The operand with its batch dims materialised or broadcast (stride 0). */
  tensor: Tensor;
  batchStride: number;
  owned: boolean;
}

/**
 * Matrix product with NumPy semantics: 1-D operands are promoted (and the added dimension
 * removed), leading batch dimensions broadcast. `transposeA/B` transpose the last two dims.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const op = 'matmul';
  assertTensor(op, a, 'a');
  assertTensor(op, b, 'b');
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new TypeError(`matmul: needs float32 tensors, got ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}`);
  if (a.rank === 0 || b.rank === 0) throw new Error(`matmul: operands must have rank ≥ 1, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const transA = !!opts.transposeA && a.rank >= 2;
  const transB = !!opts.transposeB && b.rank >= 2;
  const a2 = a.rank === 1 ? a.view([1, a.shape[0]!], op) : a;
  const b2 = b.rank === 1 ? b.view([b.shape[0]!, 1], op) : b;
  const [M, Ka] = transA ? [a2.shape[a2.rank - 1]!, a2.shape[a2.rank - 2]!] : [a2.shape[a2.rank - 2]!, a2.shape[a2.rank - 1]!];
  const [Kb, N] = transB ? [b2.shape[b2.rank - 1]!, b2.shape[b2.rank - 2]!] : [b2.shape[b2.rank - 2]!, b2.shape[b2.rank - 1]!];
  if (Ka !== Kb) {
    throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''} (${Ka} vs ${Kb})`);
  }
  const bias = opts.bias ?? null;
  if (bias) {
    assertTensor(op, bias, 'bias');
    if (bias.rank !== 1 || bias.shape[0] !== N) throw new Error(`matmul: bias must have shape [${N}], got ${fmtShape(bias.shape)}`);
  }
  const [batchA, batchB] = [a2.shape.slice(0, -2), b2.shape.slice(0, -2)];
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(op, batchA, batchB);
  } catch {
    throw new Error(`matmul: batch dimensions ${fmtShape(batchA)} of ${fmtShape(a.shape)} and ${fmtShape(batchB)} of ${fmtShape(b.shape)} cannot be broadcast together`);
  }
  const batch = sizeOf(batchShape);
  const A = batchOperand(a2, batchShape, M * Ka);
  const B = batchOperand(b2, batchShape, Ka * N);
  const flat = matmulKernel({ op, a: A.tensor, b: B.tensor, transA, transB, M, N, K: Ka, batch, batchStrideA: A.batchStride, batchStrideB: B.batchStride, bias, activation: opts.activation });
  for (const x of [A, B]) if (x.owned) x.tensor.dispose();
  const outShape = [...batchShape, ...(a.rank === 1 ? [] : [M]), ...(b.rank === 1 ? [] : [N])];
  const y = flat.view(outShape, op);
  flat.dispose();
  if (a2 !== a) a2.dispose();
  if (b2 !== b) b2.dispose();

  const act = opts.activation ?? 'none';
  record(op, [a, b, bias], y, act === 'none' ? [a, b] : [a, b, y], (dy, saved, needed) => {
    const [as, bs, ys] = saved as [Tensor, Tensor, Tensor?];
    // Gradient at the pre-activation: dz = act'(y) ⊙ dy.
    const dz = act === 'none' ? dy : runMap({ op: 'matmul (activation grad)', expr: ACTIVATIONS[act].grad, inputs: [{ tensor: dy, name: 'dy' }, { tensor: ys!, name: 'y' }], shape: dy.shape, dtype: 'float32' });
    const dz3 = dz.view([...batchShape, M, N], 'matmul (grad)');
    const a3 = as.rank === 1 ? as.view([1, as.shape[0]!], 'matmul (grad)') : as;
    const b3 = bs.rank === 1 ? bs.view([bs.shape[0]!, 1], 'matmul (grad)') : bs;
    // C = opA(A)·opB(B): d opA = dZ·opB(B)ᵀ and d opB = opA(A)ᵀ·dZ; a transposed operand takes the transpose.
    const da = needed[0] ? (transA ? matmul(b3, dz3, { transposeA: transB, transposeB: true }) : matmul(dz3, b3, { transposeB: !transB })) : null;
    const db = needed[1] ? (transB ? matmul(dz3, a3, { transposeA: true, transposeB: transA }) : matmul(a3, dz3, { transposeA: !transA })) : null;
    const dbias = needed[2] && bias ? sum(dz3, [...Array(dz3.rank - 1).keys()]) : null;
    const result = [da ? reduceBatch(da, a.shape) : null, db ? reduceBatch(db, b.shape) : null, dbias];
    if (dz !== dy) dz.dispose();
    dz3.dispose();
    if (a3 !== as) a3.dispose();
    if (b3 !== bs) b3.dispose();
    return result;
  });
  return y;
}

/** Batch dims of a matmul operand: shared by all batches (stride 0), one per batch, or broadcast by copying. */
function batchOperand(x: Tensor, batchShape: number[], matrixSize: number): Operand3 {
  const own = x.shape.slice(0, -2);
  if (sizeOf(own) === 1) return { tensor: x, batchStride: 0, owned: false };
  if (shapeEquals(own, batchShape) || (sizeOf(own) === sizeOf(batchShape) && own.length <= batchShape.length && own.every((d, i) => d === batchShape[batchShape.length - own.length + i]))) {
    return { tensor: x, batchStride: matrixSize, owned: false };
  }
  const expanded = broadcastTo(x, [...batchShape, ...x.shape.slice(-2)]);
  return { tensor: expanded, batchStride: matrixSize, owned: true };
}

/** A gradient computed per batch, summed over batch dims that the operand broadcast. */
function reduceBatch(g: Tensor, shape: readonly number[]): Tensor {
  if (shapeEquals(g.shape, shape)) return g;
  if (g.size === sizeOf(shape)) {
    const r = reshape(g, shape);
    g.dispose();
    return r;
  }
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  const matrixDims = Math.min(2, shape.length);
  for (let i = 0; i < g.rank - matrixDims; i++) {
    if (i < lead || shape[i - lead] === 1) axes.push(i);
  }
  const s = sum(g, axes, true);
  const r = reshape(s, shape);
  s.dispose();
  g.dispose();
  return r;
}

/** `x · wᵀ + b` with PyTorch's nn.Linear layout (w is [out, in]); x may have leading batch dims. */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null, activation: Activation = 'none'): Tensor {
  const op = 'linear';
  assertTensor(op, x, 'x');
  assertTensor(op, w, 'weight');
  if (w.rank !== 2) throw new Error(`linear: weight must be [out, in], got ${fmtShape(w.shape)}`);
  if (x.rank < 1 || x.shape[x.rank - 1] !== w.shape[1]) {
    throw new Error(`linear: input has ${x.shape[x.rank - 1]} features but weight expects ${w.shape[1]} (input ${fmtShape(x.shape)}, weight ${fmtShape(w.shape)})`);
  }
  if (b) {
    assertTensor(op, b, 'bias');
    if (b.rank !== 1 || b.shape[0] !== w.shape[0]) throw new Error(`linear: bias must be [${w.shape[0]}], got ${fmtShape(b.shape)}`);
  }
  const x2 = x.rank === 2 ? x : reshape(x, [-1, w.shape[1]!]);
  const y2 = matmul(x2, w, { transposeB: true, bias: b ?? null, activation });
  if (x2 === x) return y2;
  const y = reshape(y2, [...x.shape.slice(0, -1), w.shape[0]!]);
  x2.dispose();
  y2.dispose();
  return y;
}
