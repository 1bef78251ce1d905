import { record } from '../autograd/tape.js';
import { zeros } from '../tensor/creation.js';
import { assertValidShape, broadcastShapes, fmtShape, normalizeAxis, shapeEquals, sizeOf, stridesOf, type Shape } from '../tensor/shape.js';
import { allocTensor, assertTensor, type Tensor } from '../tensor/tensor.js';
import { runMap } from './map.js';
import { sumToShape } from './reduce.js';

/** Same data, new shape (no copy); one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  assertTensor('reshape', x, 'x');
  const resolved = resolveReshape(x, shape);
  const y = x.view(resolved, 'reshape');
  record('reshape', [x], y, [], (dy) => [dy.view(x.shape, 'reshape (grad)')]);
  return y;
}

function resolveReshape(x: Tensor, shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`reshape: shape must be an array, got ${String(shape)}`);
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new Error(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
  const known = shape.filter((d) => d !== -1);
  assertValidShape('reshape', known);
  const knownSize = sizeOf(known);
  const resolved = shape.map((d) => {
    if (d !== -1) return d;
    if (knownSize === 0 || x.size % knownSize !== 0) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    return x.size / knownSize;
  });
  if (sizeOf(resolved) !== x.size) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
  return resolved;
}

/** torch.flatten: merges dimensions startDim..endDim (default: all) into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  assertTensor('flatten', x, 'x');
  if (x.rank === 0) return reshape(x, [1]);
  const start = normalizeAxis('flatten', startDim, x.rank);
  const end = normalizeAxis('flatten', endDim, x.rank);
  if (start > end) throw new RangeError(`flatten: startDim ${startDim} comes after endDim ${endDim} for rank ${x.rank}`);
  const shape = [...x.shape.slice(0, start), sizeOf(x.shape.slice(start, end + 1)), ...x.shape.slice(end + 1)];
  return reshape(x, shape);
}

/** Inserts a dimension of size 1 at `axis`. */
export function expandDims(x: Tensor, axis: number): Tensor {
  assertTensor('expandDims', x, 'x');
  const a = normalizeAxis('expandDims', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes dimensions of size 1 (all of them, or the given ones, which must have size 1). */
export function squeeze(x: Tensor, axis?: number | number[]): Tensor {
  assertTensor('squeeze', x, 'x');
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, x.rank));
  for (const a of axes) if (x.shape[a] !== 1) throw new Error(`squeeze: dimension ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

/** Permutes dimensions (default: reverses them). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  assertTensor('transpose', x, 'x');
  const p = perm ? perm.map((a) => normalizeAxis('transpose', a, x.rank)) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== x.rank) {
    throw new Error(`transpose: perm ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
  }
  if (p.every((a, i) => a === i)) return reshape(x, x.shape);
  const inStrides = stridesOf(x.shape);
  const y = runMap({
    op: 'transpose',
    expr: 'x',
    inputs: [{ tensor: x, name: 'x', strides: p.map((a) => inStrides[a]!) }],
    shape: p.map((a) => x.shape[a]!),
    dtype: x.dtype,
  });
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => (inverse[a] = i));
  record('transpose', [x], y, [], (dy) => [transpose(dy, inverse)]);
  return y;
}

/** Swaps the last two dimensions. */
export function matrixTranspose(x: Tensor): Tensor {
  assertTensor('matrixTranspose', x, 'x');
  if (x.rank < 2) throw new Error(`matrixTranspose: needs rank ≥ 2, got ${fmtShape(x.shape)}`);
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return transpose(x, perm);
}

/** Copies `x` broadcast (NumPy rules) to `shape`. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  assertTensor('broadcastTo', x, 'x');
  assertValidShape('broadcastTo', shape);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapeEquals(target, shape)) throw new Error(`broadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  if (shapeEquals(x.shape, shape)) return reshape(x, shape);
  const y = runMap({ op: 'broadcastTo', expr: 'x', inputs: [{ tensor: x, name: 'x' }], shape, dtype: x.dtype });
  record('broadcastTo', [x], y, [], (dy) => [sumToShape(dy, x.shape)]);
  return y;
}

/**
 * A contiguous block: `begin[d]` to `begin[d] + size[d]` along each dimension (TF.js semantics;
 * size -1 means "to the end"; missing trailing entries take whole dimensions).
 */
export function slice(x: Tensor, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  assertTensor('slice', x, 'x');
  const b = typeof begin === 'number' ? [begin] : [...begin];
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  if (b.length > x.rank || s.length > x.rank) throw new Error(`slice: begin ${JSON.stringify(begin)} / size ${JSON.stringify(size)} have more entries than the rank of ${fmtShape(x.shape)}`);
  const starts = x.shape.map((_, d) => b[d] ?? 0);
  const sizes = x.shape.map((dim, d) => {
    const sz = s[d] ?? -1;
    return sz === -1 ? dim - starts[d]! : sz;
  });
  x.shape.forEach((dim, d) => {
    const st = starts[d]!;
    const sz = sizes[d]!;
    if (!Number.isInteger(st) || !Number.isInteger(sz) || st < 0 || sz < 0 || st + sz > dim) {
      throw new RangeError(`slice: begin ${st} size ${sz} is out of range for dimension ${d} of ${fmtShape(x.shape)}`);
    }
  });
  const strides = stridesOf(x.shape);
  const offset = starts.reduce((acc, st, d) => acc + st * strides[d]!, 0);
  const y = runMap({ op: 'slice', expr: 'x', inputs: [{ tensor: x, name: 'x', strides, offset }], shape: sizes, dtype: x.dtype });
  record('slice', [x], y, [], (dy) => {
    const dx = zeros(x.shape);
    runMap({ op: 'slice (grad)', expr: 'dy', inputs: [{ tensor: dy, name: 'dy' }], shape: sizes, dtype: 'float32', into: { tensor: dx, strides, offset } });
    return [dx];
  });
  return y;
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('concat: expected a non-empty array of tensors');
  tensors.forEach((t, i) => assertTensor('concat', t, `tensors[${i}]`));
  const first = tensors[0]!;
  const a = normalizeAxis('concat', axis, first.rank);
  for (const t of tensors) {
    if (t.dtype !== first.dtype) throw new TypeError(`concat: dtype mismatch (${tensors.map((u) => u.dtype).join(', ')})`);
    if (t.rank !== first.rank || t.shape.some((d: number, i: number) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${a}`);
    }
  }
  const shape = [...first.shape];
  shape[a] = tensors.reduce((acc, t) => acc + t.shape[a]!, 0);
  const out = allocTensor(shape, first.dtype);
  const outStrides = stridesOf(shape);
  let start = 0;
  for (const t of tensors) {
    runMap({ op: 'concat', expr: 'x', inputs: [{ tensor: t, name: 'x' }], shape: t.shape, dtype: t.dtype, into: { tensor: out, strides: outStrides, offset: start * outStrides[a]! } });
    start += t.shape[a]!;
  }
  const starts: number[] = tensors.map((_, i) => tensors.slice(0, i).reduce((acc, t) => acc + t.shape[a]!, 0));
  record('concat', tensors, out, [], (dy, _saved, needed) =>
    tensors.map((t, i) => {
      if (!needed[i]) return null;
      const begin = shape.map((_: number, d: number) => (d === a ? starts[i]! : 0));
      return slice(dy, begin, t.shape);
    }),
  );
  return out;
}

/** Joins tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('stack: expected a non-empty array of tensors');
  tensors.forEach((t, i) => assertTensor('stack', t, `tensors[${i}]`));
  const first = tensors[0]!;
  if (tensors.some((t) => t.dtype !== first.dtype || !shapeEquals(t.shape, first.shape))) {
    throw new Error(`stack: tensors must all have the same shape and dtype, got ${tensors.map((t) => `${t.dtype} ${fmtShape(t.shape)}`).join(', ')}`);
  }
  const a = normalizeAxis('stack', axis, first.rank + 1);
  const expanded = tensors.map((t) => expandDims(t, a));
  const out = concat(expanded, a);
  for (const e of expanded) e.dispose();
  return out;
}
