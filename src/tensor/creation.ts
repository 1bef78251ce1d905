import { runMap } from '../ops/map.js';
import { isDType, type DType, type TypedArray } from './dtype.js';
import { assertValidShape, fmtShape, sizeOf, type Shape } from './shape.js';
import { assertTensor, uploadTensor, type Tensor } from './tensor.js';

export type NestedNumbers = number | boolean | readonly NestedNumbers[];
export type TensorData = ArrayLike<number> | NestedNumbers;

function inferShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedNumbers;
  }
  return shape;
}

function flatten(data: NestedNumbers, shape: readonly number[], out: number[], depth = 0): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new Error(`tensor: ragged nested array (too deep at depth ${depth}); expected shape ${fmtShape(shape)}`);
    out.push(Number(data));
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(`tensor: ragged nested array: expected ${shape[depth]} elements at depth ${depth}, got ${Array.isArray(data) ? data.length : 'a scalar'}`);
  }
  for (const v of data) flatten(v, shape, out, depth + 1);
}

/**
 * A tensor from a flat array-like (with `shape`) or nested arrays (shape inferred). The dtype
 * defaults to the typed array's (Int32Array → int32) or float32.
 */
export function tensor(data: TensorData | TypedArray, shape?: Shape, dtype?: DType): Tensor {
  if (dtype !== undefined && !isDType(dtype)) throw new TypeError(`tensor: unknown dtype '${String(dtype)}' (use 'float32' or 'int32')`);
  const resolvedDType: DType = dtype ?? (data instanceof Int32Array ? 'int32' : 'float32');
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number' || typeof data === 'boolean') {
    flat = [Number(data)];
    inferred = [];
  } else if (Array.isArray(data)) {
    inferred = inferShape(data);
    const values: number[] = [];
    flatten(data as NestedNumbers, inferred, values);
    flat = values;
  } else {
    flat = data as ArrayLike<number>;
    inferred = [flat.length];
  }
  const finalShape = shape ? [...shape] : inferred;
  assertValidShape('tensor', finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new Error(`tensor: ${flat.length} values do not fill shape ${fmtShape(finalShape)} (${sizeOf(finalShape)} elements)`);
  }
  const typed = resolvedDType === 'float32' ? Float32Array.from(flat) : Int32Array.from(flat);
  if (resolvedDType === 'int32') {
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i]!;
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new RangeError(`tensor: value ${v} at index ${i} is not an int32`);
    }
  }
  return uploadTensor(typed, finalShape, resolvedDType);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  assertValidShape('full', shape);
  if (dtype === 'int32') {
    if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647) throw new RangeError(`full: ${value} is not an int32`);
    return runMap({ op: 'full', expr: 'bitcast<i32>(s0)', inputs: [], shape, dtype, scalars: [{ int: value }] });
  }
  return runMap({ op: 'full', expr: 's0', inputs: [], shape, dtype, scalars: [value] });
}

export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  assertValidShape('zeros', shape);
  return full(shape, 0, dtype);
}

export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  assertValidShape('ones', shape);
  return full(shape, 1, dtype);
}

export function zerosLike(x: Tensor): Tensor {
  assertTensor('zerosLike', x, 'x');
  return full(x.shape, 0, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  assertTensor('onesLike', x, 'x');
  return full(x.shape, 1, x.dtype);
}

/**
 * Values start, start + step, … below stop (NumPy/PyTorch semantics; `arange(n)` = 0..n-1).
 * int32 when all arguments are integers, like torch.arange, else float32.
 */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  for (const [name, v] of [['start', lo], ['stop', hi], ['step', step]] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`arange: ${name} must be finite, got ${v}`);
  }
  if (step === 0) throw new RangeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const resolved: DType = dtype ?? ([lo, hi, step].every(Number.isInteger) ? 'int32' : 'float32');
  const values = resolved === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = lo + i * step;
  return uploadTensor(values, [n], resolved);
}
