import { record } from '../autograd/tape.js';
import type { DType } from '../tensor/dtype.js';
import { broadcastShapes, fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, Tensor } from '../tensor/tensor.js';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS, mentions, type BinaryOpName, type CompareOpName, type UnaryOpName } from './elementwise-table.js';
import { runMap } from './map.js';
import { bindOperands, checkOperand, operandDType, type Operand } from './operands.js';
import { sumToShape } from './reduce.js';

/** Applies a unary op of the table, recording its gradient. */
export function unary(op: UnaryOpName, x: Tensor): Tensor {
  assertTensor(op, x, 'x');
  const def: { expr: string; grad?: string; int?: string } = UNARY_OPS[op];
  let expr = def.expr;
  if (x.dtype === 'int32') {
    if (def.int === undefined) throw new TypeError(`${op}: not defined for int32 tensors (got ${fmtShape(x.shape)} int32); cast to float32 first`);
    expr = def.int;
  }
  const y = runMap({ op, expr, inputs: [{ tensor: x, name: 'x' }], shape: x.shape, dtype: x.dtype });
  const grad = def.grad;
  if (grad !== undefined && x.dtype === 'float32') {
    const usesX = mentions(grad, 'x');
    const usesY = mentions(grad, 'y');
    const save = [...(usesX ? [x] : []), ...(usesY ? [y] : [])];
    record(op, [x], y, save, (dy, saved) => {
      const inputs = [{ tensor: dy, name: 'dy' }];
      if (usesX) inputs.push({ tensor: saved[0]!, name: 'x' });
      if (usesY) inputs.push({ tensor: saved[usesX ? 1 : 0]!, name: 'y' });
      return [runMap({ op: `${op} (grad)`, expr: grad, inputs, shape: dy.shape, dtype: 'float32' })];
    });
  }
  return y;
}

/** Applies a binary op of the table with NumPy broadcasting; numbers are scalars. */
export function binary(op: BinaryOpName, a: Operand, b: Operand): Tensor {
  checkOperand(op, a, 'a');
  checkOperand(op, b, 'b');
  const dtype = operandDType(op, [a, b]);
  const def: { expr: string; gradA: string; gradB: string; int?: string } = BINARY_OPS[op];
  let expr = def.expr;
  if (dtype === 'int32') {
    if (def.int === undefined) throw new TypeError(`${op}: not defined for int32 tensors; cast to float32 first`);
    expr = def.int;
  }
  const shape = outShape(op, a, b);
  const operands = [
    { name: 'a', value: a },
    { name: 'b', value: b },
  ];
  const bound = bindOperands(expr, operands, dtype);
  const y = runMap({ op, ...bound, shape, dtype });
  if (dtype === 'float32') recordBinaryGrad(op, def, a, b, y);
  return y;
}

function outShape(op: string, a: Operand, b: Operand): number[] {
  if (a instanceof Tensor && b instanceof Tensor) return broadcastShapes(op, a.shape, b.shape);
  return [...(a instanceof Tensor ? a : (b as Tensor)).shape];
}

function recordBinaryGrad(op: string, def: { gradA: string; gradB: string }, a: Operand, b: Operand, y: Tensor): void {
  const needsSaved = (name: string) => mentions(def.gradA, name) || mentions(def.gradB, name);
  // Saved tensors, in order: a, b, y (each only if a gradient expression reads it and it is a tensor).
  const saveNames = (['a', 'b', 'y'] as const).filter((n) => needsSaved(n) && (n === 'y' || (n === 'a' ? a : b) instanceof Tensor));
  const save = saveNames.map((n) => (n === 'a' ? (a as Tensor) : n === 'b' ? (b as Tensor) : y));
  record(op, [a instanceof Tensor ? a : null, b instanceof Tensor ? b : null], y, save, (dy, saved, needed) => {
    const lookup = (name: 'a' | 'b' | 'y'): Operand => {
      const i = saveNames.indexOf(name as never);
      if (i >= 0) return saved[i]!;
      return name === 'a' ? a : b; // a number operand
    };
    const gradFor = (expr: string, target: Operand, isNeeded: boolean): Tensor | null => {
      if (!(target instanceof Tensor) || !isNeeded) return null;
      if (expr === 'dy') return shapeEquals(dy.shape, target.shape) ? dy : sumToShape(dy, target.shape);
      const operands = [{ name: 'dy', value: dy as Operand }];
      for (const n of ['a', 'b', 'y'] as const) if (mentions(expr, n)) operands.push({ name: n, value: lookup(n) });
      const bound = bindOperands(expr, operands, 'float32');
      const full = runMap({ op: `${op} (grad)`, ...bound, shape: dy.shape, dtype: 'float32' });
      if (shapeEquals(full.shape, target.shape)) return full;
      const reduced = sumToShape(full, target.shape);
      full.dispose();
      return reduced;
    };
    return [gradFor(def.gradA, a, needed[0]!), gradFor(def.gradB, b, needed[1]!)];
  });
}

/** Elementwise comparison with broadcasting: 1.0 where it holds, else 0.0 (float32, no gradient). */
export function compare(op: CompareOpName, a: Operand, b: Operand): Tensor {
  checkOperand(op, a, 'a');
  checkOperand(op, b, 'b');
  const dtype = operandDType(op, [a, b]);
  const bound = bindOperands(`select(0.0, 1.0, a ${COMPARE_OPS[op]} b)`, [
    { name: 'a', value: a },
    { name: 'b', value: b },
  ], dtype);
  return runMap({ op, ...bound, shape: outShape(op, a, b), dtype: 'float32' });
}

/** `cond ? a : b` elementwise with broadcasting; cond is any tensor (non-zero means true). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const op = 'where';
  assertTensor(op, cond, 'cond');
  checkOperand(op, a, 'a');
  checkOperand(op, b, 'b');
  const dtype = a instanceof Tensor || b instanceof Tensor ? operandDType(op, [a, b]) : 'float32';
  const shape = a instanceof Tensor || b instanceof Tensor ? broadcastShapes(op, cond.shape, outShape(op, a, b)) : [...cond.shape];
  const test = cond.dtype === 'float32' ? 'c != 0.0' : 'c != 0i';
  const bound = bindOperands(`select(b, a, ${test})`, [
    { name: 'c', value: cond },
    { name: 'a', value: a },
    { name: 'b', value: b },
  ], dtype);
  const y = runMap({ op, ...bound, shape, dtype });
  if (dtype === 'float32') {
    record(op, [a instanceof Tensor ? a : null, b instanceof Tensor ? b : null], y, [cond], (dy, [c], needed) => {
      const pick = (target: Operand, expr: string, isNeeded: boolean): Tensor | null => {
        if (!(target instanceof Tensor) || !isNeeded) return null;
        const full = runMap({ op: 'where (grad)', expr, inputs: [{ tensor: dy, name: 'dy' }, { tensor: c!, name: 'c' }], shape: dy.shape, dtype: 'float32' });
        if (shapeEquals(full.shape, target.shape)) return full;
        const reduced = sumToShape(full, target.shape);
        full.dispose();
        return reduced;
      };
      return [pick(a, `select(0.0, dy, ${test})`, needed[0]!), pick(b, `select(dy, 0.0, ${test})`, needed[1]!)];
    });
  }
  return y;
}

/** Limits values to [min, max] (either may be omitted); NaN stays NaN. Gradient 1 inside the closed interval. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const op = 'clamp';
  assertTensor(op, x, 'x');
  const lo = min ?? null;
  const hi = max ?? null;
  if (lo === null && hi === null) throw new Error('clamp: at least one of min and max is required');
  if (lo !== null && hi !== null && lo > hi) throw new RangeError(`clamp: min ${lo} is greater than max ${hi}`);
  const isInt = x.dtype === 'int32';
  for (const v of [lo, hi]) {
    if (v !== null && (typeof v !== 'number' || Number.isNaN(v) || (isInt && !Number.isInteger(v)))) {
      throw new TypeError(`clamp: bounds must be ${isInt ? 'integers' : 'numbers'} (not NaN), got ${v}`);
    }
  }
  let expr = 'x';
  if (lo !== null) expr = `select(${expr}, lo, ${expr} < lo)`;
  if (hi !== null) expr = `select(${expr}, hi, ${expr} > hi)`;
  const operands = [{ name: 'x', value: x as Operand }];
  if (lo !== null) operands.push({ name: 'lo', value: lo });
  if (hi !== null) operands.push({ name: 'hi', value: hi });
  const bound = bindOperands(expr, operands, x.dtype);
  const y = runMap({ op, ...bound, shape: x.shape, dtype: x.dtype });
  if (!isInt) {
    record(op, [x], y, [x], (dy, [xs]) => {
      const inside = [lo !== null ? 'x >= lo' : '', hi !== null ? 'x <= hi' : ''].filter(Boolean).join(' && ');
      const gradOperands = [
        { name: 'dy', value: dy as Operand },
        { name: 'x', value: xs as Operand },
        ...operands.slice(1),
      ];
      const g = bindOperands(`select(0.0, dy, ${inside})`, gradOperands, 'float32');
      return [runMap({ op: 'clamp (grad)', ...g, shape: dy.shape, dtype: 'float32' })];
    });
  }
  return y;
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
