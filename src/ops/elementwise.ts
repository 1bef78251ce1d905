import { record } from '../autograd/tape.js';
import type { DType } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS, type BinaryOpName, type CompareOpName, type UnaryOpName } from './elementwise-table.js';
import { fused } from './fused.js';
import { runMap } from './map.js';
import type { Operand } from './operands.js';

/** Applies a unary op of the table, recording its gradient. */
export function unary(op: UnaryOpName, x: Tensor): Tensor {
  assertTensor(op, x, 'x');
  const def: { expr: string; grad?: string; int?: string } = UNARY_OPS[op];
  if (x.dtype === 'int32' && def.int === undefined) throw new TypeError(`${op}: not defined for int32 tensors (got ${fmtShape(x.shape)} int32); cast to float32 first`);
  // NaN in, NaN out for every float op: WGSL builtins do not promise it (SwiftShader's exp(NaN) is +inf).
  const expr = `select(${def.expr}, x, is_nan(x))`;
  return fused(op, { expr, int: def.int, grads: def.grad === undefined ? {} : { x: def.grad } }, [{ name: 'x', value: x }]);
}

/** Applies a binary op of the table with NumPy broadcasting; numbers are scalars. */
export function binary(op: BinaryOpName, a: Operand, b: Operand): Tensor {
  const def: { expr: string; gradA: string; gradB: string; int?: string } = BINARY_OPS[op];
  return fused(op, { expr: def.expr, int: def.int, grads: { a: def.gradA, b: def.gradB } }, [
    { name: 'a', value: a },
    { name: 'b', value: b },
  ]);
}

/** Elementwise comparison with broadcasting: 1.0 where it holds, else 0.0 (float32, no gradient). */
export function compare(op: CompareOpName, a: Operand, b: Operand): Tensor {
  const cmp = COMPARE_OPS[op];
  // IEEE semantics made explicit (WGSL compilers may assume floats are never NaN, and lavapipe
  // folds NaN != x to false): every comparison with NaN is false, except != which is true.
  const test = op === 'notEqual' ? 'is_nan(a) || is_nan(b) || a != b' : `!is_nan(a) && !is_nan(b) && a ${cmp} b`;
  const expr = `select(0.0, 1.0, ${test})`;
  return fused(op, { expr, int: `select(0.0, 1.0, a ${cmp} b)`, grads: {}, outDType: 'float32' }, [
    { name: 'a', value: a },
    { name: 'b', value: b },
  ]);
}

/** `cond ? a : b` elementwise with broadcasting; cond is any tensor (non-zero means true). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  assertTensor('where', cond, 'cond');
  const test = cond.dtype === 'float32' ? 'c != 0.0' : 'c != 0i';
  const expr = `select(b, a, ${test})`;
  const grads = { a: `select(0.0, dy, ${test})`, b: `select(dy, 0.0, ${test})` };
  return fused('where', { expr, int: expr, grads, dtypeFrom: ['a', 'b'] }, [
    { name: 'c', value: cond },
    { name: 'a', value: a },
    { name: 'b', value: b },
  ]);
}

/** Limits values to [min, max] (either may be omitted); NaN stays NaN. Gradient 1 inside the closed interval. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const op = 'clamp';
  assertTensor(op, x, 'x');
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo === null && hi === null) throw new Error('clamp: at least one of min and max is required');
  const isInt = x.dtype === 'int32';
  for (const v of [lo, hi]) {
    if (v !== null && (typeof v !== 'number' || Number.isNaN(v) || (isInt && !Number.isInteger(v)))) {
      throw new TypeError(`clamp: bounds must be ${isInt ? 'integers' : 'numbers'} (not NaN), got ${v}`);
    }
  }
  if (lo !== null && hi !== null && lo > hi) throw new RangeError(`clamp: min ${lo} is greater than max ${hi}`);
  let expr = 'x';
  if (lo !== null) expr = `select(${expr}, lo, ${expr} < lo)`;
  if (hi !== null) expr = `select(${expr}, hi, ${expr} > hi)`;
  const inside = [lo !== null ? 'x >= lo' : '', hi !== null ? 'x <= hi' : ''].filter(Boolean).join(' && ');
  const operands = [{ name: 'x', value: x as Operand }];
  if (lo !== null) operands.push({ name: 'lo', value: lo });
  if (hi !== null) operands.push({ name: 'hi', value: hi });
  return fused(op, { expr, int: expr, grads: { x: `select(0.0, dy, ${inside})` } }, operands);
}

/** Converts between float32 and int32 (float → int truncates toward zero, like PyTorch's .int()). */
export function cast(x: Tensor, dtype: DType): Tensor {
  assertTensor('cast', x, 'x');
  if (dtype !== 'float32' && dtype !== 'int32') throw new TypeError(`cast: unknown dtype '${String(dtype)}' (use 'float32' or 'int32')`);
  if (x.dtype === dtype) {
    const y = x.view(x.shape, 'cast');
    record('cast', [x], y, [], (dy) => [dy]);
    return y;
  }
  const expr = dtype === 'float32' ? 'f32(x)' : 'i32(x)';
  return runMap({ op: 'cast', expr, inputs: [{ tensor: x, name: 'x' }], shape: x.shape, dtype });
}
