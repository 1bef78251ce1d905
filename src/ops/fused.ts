import { record } from '../autograd/tape.js';
import type { DType } from '../tensor/dtype.js';
import { broadcastShapes, shapeEquals } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mentions } from './elementwise-table.js';
import { runMap } from './map.js';
import { bindOperands, checkOperand, operandDType, type Operand } from './operands.js';
import { sumToShape } from './reduce.js';

/**
 * An elementwise op of several named operands, as one WGSL expression, with the WGSL expression
 * of the gradient for each differentiable operand (in terms of the operands, the output `y` and
 * the output gradient `dy`). Operands without an entry in `grads` get no gradient.
 */
export interface FusedDef {
  expr: string;
  grads: Readonly<Record<string, string>>;
  /** Expression for int32 operands, where the op is defined on them. */
  int?: string;
  /** Output dtype when it differs from the operands' (e.g. comparisons give float32). */
  outDType?: DType;
  /** Operands whose dtype sets the op's dtype (default: all); float32 if none of them is a tensor. */
  dtypeFrom?: readonly string[];
}

export interface NamedOperand {
  name: string;
  value: Operand;
}

/** Runs a fused elementwise op with NumPy broadcasting and records its gradients. */
export function fused(op: string, def: FusedDef, operands: readonly NamedOperand[]): Tensor {
  for (const { name, value } of operands) checkOperand(op, value, name);
  const typed = def.dtypeFrom ? operands.filter((o) => def.dtypeFrom!.includes(o.name)) : operands;
  const dtype: DType = typed.some((o) => o.value instanceof Tensor) ? operandDType(op, typed.map((o) => o.value)) : 'float32';
  let expr = def.expr;
  if (dtype === 'int32') {
    if (def.int === undefined) throw new TypeError(`${op}: not defined for int32 tensors; cast to float32 first`);
    expr = def.int;
  }
  const tensors = operands.filter((o): o is { name: string; value: Tensor } => o.value instanceof Tensor);
  const shape = tensors.reduce<number[]>((s, t) => broadcastShapes(op, s, t.value.shape), []);
  const bound = bindOperands(expr, operands, dtype);
  const outDType = def.outDType ?? dtype;
  const y = runMap({ op, ...bound, shape, dtype: outDType });
  if (dtype === 'float32' && outDType === 'float32' && Object.keys(def.grads).length > 0) recordFusedGrad(op, def, operands, tensors, y);
  return y;
}

function recordFusedGrad(op: string, def: FusedDef, operands: readonly NamedOperand[], tensors: readonly { name: string; value: Tensor }[], y: Tensor): void {
  const gradExprs = Object.values(def.grads);
  const readBy = (name: string) => gradExprs.some((e) => mentions(e, name));
  const savedNames = [...tensors.filter((t) => readBy(t.name)).map((t) => t.name), ...(readBy('y') ? ['y'] : [])];
  const save = savedNames.map((n) => (n === 'y' ? y : tensors.find((t) => t.name === n)!.value));
  const inputs = operands.map((o) => (o.value instanceof Tensor && def.grads[o.name] !== undefined ? o.value : null));
  record(op, inputs, y, save, (dy, saved, needed) =>
    operands.map((target, i) => {
      const expr = def.grads[target.name];
      if (!needed[i] || expr === undefined || !(target.value instanceof Tensor)) return null;
      const shape = target.value.shape;
      if (expr === 'dy') return shapeEquals(dy.shape, shape) ? dy : sumToShape(dy, shape);
      const gradOperands: NamedOperand[] = [{ name: 'dy', value: dy }];
      for (const o of [...operands, { name: 'y', value: y as Operand }]) {
        if (!mentions(expr, o.name)) continue;
        const k = savedNames.indexOf(o.name);
        gradOperands.push({ name: o.name, value: k >= 0 ? saved[k]! : o.value });
      }
      const full = runMap({ op: `${op} (grad)`, ...bindOperands(expr, gradOperands, 'float32'), shape: dy.shape, dtype: 'float32' });
      if (shapeEquals(full.shape, shape)) return full;
      const reduced = sumToShape(full, shape);
      full.dispose();
      return reduced;
    }),
  );
}
