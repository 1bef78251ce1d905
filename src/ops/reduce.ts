import { record } from '../autograd/tape.js';
import { fmtShape, normalizeAxes, shapeEquals, sizeOf, type Shape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { runMap } from './map.js';
import { argReduceMiddle, reduceMiddle, REDUCERS, type ReduceGeometry, type ReduceStage } from './reduce-kernel.js';
import { broadcastTo, reshape } from './shape-ops.js';

export type Axes = number | readonly number[] | null | undefined;

interface ReducePlan {
  axes: number[];
  /** Output shape with reduced axes kept as size 1, and without them. */
  keptShape: number[];
  outShape: number[];
}

function planReduce(op: string, x: Tensor, axis: Axes): ReducePlan {
  const axes = normalizeAxes(op, axis, x.rank);
  return {
    axes,
    keptShape: x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    outShape: x.shape.filter((_, i) => !axes.includes(i)),
  };
}

/** Maximal runs of adjacent axes, e.g. [0, 2, 3] → [[0], [2, 3]]. */
function adjacentRuns(axes: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const a of axes) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === a - 1) last.push(a);
    else runs.push([a]);
  }
  return runs;
}

/**
 * Reduces over `axes` as a sequence of middle-axis reductions, one per run of adjacent axes
 * (last run first), so no transpose is needed: x viewed as [outer, R, inner] each time. The
 * stage's `map` applies in the first pass and its `final` in the last.
 */
function reduceAxes(op: string, x: Tensor, plan: ReducePlan, stage: ReduceStage): Tensor {
  const runs = adjacentRuns(plan.axes).reverse();
  if (runs.length === 0) runs.push([]);
  let current = x;
  const shape = [...x.shape];
  runs.forEach((run, i) => {
    const first = run[0] ?? shape.length;
    const last = run[run.length - 1] ?? shape.length - 1;
    const geometry: ReduceGeometry = {
      outer: sizeOf(shape.slice(0, first)),
      reduce: sizeOf(shape.slice(first, last + 1)),
      inner: sizeOf(shape.slice(last + 1)),
    };
    const passStage: ReduceStage = {
      reducer: stage.reducer,
      map: i === 0 ? stage.map : undefined,
      final: i === runs.length - 1 ? stage.final : undefined,
      scale: stage.scale,
    };
    const next = reduceMiddle(op, current, geometry, passStage);
    if (current !== x) current.dispose();
    current = next;
    for (const a of run) shape[a] = 1;
  });
  return current;
}

function runReduce(op: string, x: Tensor, axis: Axes, keepdims: boolean, stage: ReduceStage): { y: Tensor; plan: ReducePlan } {
  const plan = planReduce(op, x, axis);
  const flat = reduceAxes(op, x, plan, stage);
  const y = flat.view(keepdims ? plan.keptShape : plan.outShape, op);
  flat.dispose();
  return { y, plan };
}

/** Sum over `axis` (default: all axes). */
export function sum(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  assertTensor('sum', x, 'x');
  const { y, plan } = runReduce('sum', x, axis, keepdims, { reducer: REDUCERS.sum });
  record('sum', [x], y, [], (dy) => [expandGrad(dy, plan, x.shape)]);
  return y;
}

/** Arithmetic mean over `axis` (default: all axes); float32 only. */
export function mean(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  assertTensor('mean', x, 'x');
  if (x.dtype !== 'float32') throw new TypeError(`mean: needs a float32 tensor, got int32 ${fmtShape(x.shape)}; cast it first`);
  const count = sizeOf(normalizeAxes('mean', axis, x.rank).map((a) => x.shape[a]!));
  const scale = 1 / count;
  const { y, plan } = runReduce('mean', x, axis, keepdims, { reducer: REDUCERS.sum, final: 'acc * p.scale', scale });
  record('mean', [x], y, [], (dy) => {
    const g = expandGrad(dy, plan, x.shape);
    const scaled = runMap({ op: 'mean (grad)', expr: 'g * s0', inputs: [{ tensor: g, name: 'g' }], shape: x.shape, dtype: 'float32', scalars: [scale] });
    g.dispose();
    return [scaled];
  });
  return y;
}

/** Maximum over `axis` (like torch.amax: ties share the gradient equally; NaN propagates). */
export function max(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  return extreme('max', x, axis, keepdims);
}

/** Minimum over `axis` (like torch.amin). */
export function min(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  return extreme('min', x, axis, keepdims);
}

function extreme(op: 'max' | 'min', x: Tensor, axis: Axes, keepdims: boolean): Tensor {
  assertTensor(op, x, 'x');
  if (x.size === 0) throw new Error(`${op}: cannot reduce an empty tensor ${fmtShape(x.shape)}`);
  const { y, plan } = runReduce(op, x, axis, keepdims, { reducer: REDUCERS[op] });
  record(op, [x], y, [x, y], (dy, [xs, ys]) => {
    // d/dx = [x == y] / (number of ties), broadcast from the kept shape.
    const yKept = ys!.view(plan.keptShape, `${op} (grad)`);
    const dyKept = dy.view(plan.keptShape, `${op} (grad)`);
    const mask = runMap({ op: `${op} (grad)`, expr: 'select(0.0, 1.0, x == y)', inputs: [{ tensor: xs!, name: 'x' }, { tensor: yKept, name: 'y' }], shape: x.shape, dtype: 'float32' });
    const ties = sum(mask, plan.axes, true);
    const g = runMap({
      op: `${op} (grad)`,
      expr: 'm * dy / n',
      inputs: [{ tensor: mask, name: 'm' }, { tensor: dyKept, name: 'dy' }, { tensor: ties, name: 'n' }],
      shape: x.shape,
      dtype: 'float32',
    });
    for (const t of [yKept, dyKept, mask, ties]) t.dispose();
    return [g];
  });
  return y;
}

/** Index of the first maximum along `axis` (int32). Without an axis: over the flattened tensor. */
export function argmax(x: Tensor, axis?: number, keepdims = false): Tensor {
  return argExtreme('argmax', x, axis, keepdims);
}

export function argmin(x: Tensor, axis?: number, keepdims = false): Tensor {
  return argExtreme('argmin', x, axis, keepdims);
}

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdims: boolean): Tensor {
  assertTensor(op, x, 'x');
  if (axis !== undefined && typeof axis !== 'number') throw new TypeError(`${op}: axis must be a single number, got ${JSON.stringify(axis)}`);
  if (x.size === 0) throw new Error(`${op}: cannot reduce an empty tensor ${fmtShape(x.shape)}`);
  if (axis === undefined) {
    const flat = argReduceMiddle(op, x, { outer: 1, reduce: x.size, inner: 1 });
    const y = flat.view(keepdims ? x.shape.map(() => 1) : [], op);
    flat.dispose();
    return y;
  }
  const plan = planReduce(op, x, axis);
  const a = plan.axes[0]!;
  const geometry = { outer: sizeOf(x.shape.slice(0, a)), reduce: x.shape[a]!, inner: sizeOf(x.shape.slice(a + 1)) };
  const flat = argReduceMiddle(op, x, geometry);
  const y = flat.view(keepdims ? plan.keptShape : plan.outShape, op);
  flat.dispose();
  return y;
}

/** Broadcasts a reduction's output gradient back over the reduced axes. */
function expandGrad(dy: Tensor, plan: ReducePlan, shape: Shape): Tensor {
  const kept = dy.view(plan.keptShape, 'reduce (grad)');
  const g = broadcastTo(kept, shape);
  kept.dispose();
  return g;
}

/** Sums a broadcast result back to `shape` (the gradient of NumPy broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapeEquals(g.shape, shape)) return reshape(g, shape);
  const lead = g.rank - shape.length;
  if (lead < 0) throw new Error(`sumToShape: ${fmtShape(g.shape)} has lower rank than ${fmtShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== g.shape[i]) throw new Error(`sumToShape: ${fmtShape(g.shape)} is not a broadcast of ${fmtShape(shape)}`);
  }
  const summed = sum(g, axes, true);
  const out = reshape(summed, shape);
  summed.dispose();
  return out;
}
