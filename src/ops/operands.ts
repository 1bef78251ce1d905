import type { DType } from '../tensor/dtype.js';
import { fmtShape } from '../tensor/shape.js';
import { assertTensor, Tensor } from '../tensor/tensor.js';
import type { MapInput, ScalarArg } from './map.js';

/** A tensor or a JS number (a scalar broadcast everywhere, passed to kernels as a uniform). */
export type Operand = Tensor | number;

/** Replaces the identifier `name` in a WGSL expression. */
export function substitute(expr: string, name: string, replacement: string): string {
  return expr.replace(new RegExp(`(^|[^A-Za-z0-9_.])${name}(?=[^A-Za-z0-9_]|$)`, 'g'), `$1${replacement}`);
}

export function checkOperand(op: string, value: unknown, argName: string): asserts value is Operand {
  if (typeof value === 'number') return;
  assertTensor(op, value, argName);
}

/** The common dtype of tensor operands; numbers adapt (an int32 op needs integral numbers). */
export function operandDType(op: string, operands: readonly Operand[]): DType {
  const tensors = operands.filter((o): o is Tensor => o instanceof Tensor);
  if (tensors.length === 0) throw new TypeError(`${op}: at least one operand must be a Tensor`);
  const dtype = tensors[0]!.dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) {
      throw new TypeError(`${op}: dtype mismatch: ${tensors.map((u) => `${u.dtype} ${fmtShape(u.shape)}`).join(' vs ')}; cast one with ps.cast`);
    }
  }
  if (dtype === 'int32') {
    for (const o of operands) {
      if (typeof o === 'number' && !Number.isInteger(o)) {
        throw new TypeError(`${op}: cannot combine an int32 tensor with the non-integer ${o}; cast the tensor to float32 first`);
      }
    }
  }
  return dtype;
}

/**
 * Binds named operands to a map kernel: tensors become inputs, numbers become the uniform
 * constants s0..s3 substituted into the expression.
 */
export function bindOperands(
  expr: string,
  operands: readonly { name: string; value: Operand }[],
  dtype: DType,
): { expr: string; inputs: MapInput[]; scalars: ScalarArg[] } {
  const inputs: MapInput[] = [];
  const scalars: ScalarArg[] = [];
  let out = expr;
  for (const { name, value } of operands) {
    if (value instanceof Tensor) {
      inputs.push({ tensor: value, name });
    } else {
      const slot = `s${scalars.length}`;
      if (dtype === 'int32') {
        if (value < -2147483648 || value > 2147483647) throw new RangeError(`${name} = ${value} does not fit in int32`);
        scalars.push({ int: value });
        out = substitute(out, name, `bitcast<i32>(${slot})`);
      } else {
        scalars.push(value);
        out = substitute(out, name, slot);
      }
    }
  }
  return { expr: out, inputs, scalars };
}
