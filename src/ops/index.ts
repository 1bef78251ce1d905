// Functional op API (re-exported by src/index.ts) — one place to see every op.
import type { Tensor } from '../tensor/tensor.js';
import { binary, compare, unary } from './elementwise.js';
import type { Operand } from './operands.js';

export { where, clamp, cast } from './elementwise.js';
export { sum, mean, max, min, argmax, argmin, sumToShape, type Axes } from './reduce.js';
export { reshape, flatten, expandDims, squeeze, transpose, matrixTranspose, broadcastTo, slice, concat, stack } from './shape-ops.js';
export { matmul, linear, type MatmulOptions } from './matmul.js';
export { l2Norm, projectL2, renorm } from './norms.js';
export { conv2d, type Conv2dOptions } from './conv.js';
export { maxPool2d, upsampleNearest } from './pool.js';
export { batchNorm, type BatchNormOptions } from './batchnorm.js';
export { logSoftmax, softmax } from './softmax.js';
export { gatherRows } from './gather.js';
export { mseLoss, bceLoss, crossEntropy, klDiagGaussians, type LossOptions, type Reduction } from './losses.js';
export type { Operand } from './operands.js';
export type { Activation } from './activations.js';

export const add = (a: Operand, b: Operand): Tensor => binary('add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('mul', a, b);
export const div = (a: Operand, b: Operand): Tensor => binary('div', a, b);
export const pow = (a: Operand, b: Operand): Tensor => binary('pow', a, b);
export const minimum = (a: Operand, b: Operand): Tensor => binary('minimum', a, b);
export const maximum = (a: Operand, b: Operand): Tensor => binary('maximum', a, b);

export const equal = (a: Operand, b: Operand): Tensor => compare('equal', a, b);
export const notEqual = (a: Operand, b: Operand): Tensor => compare('notEqual', a, b);
export const less = (a: Operand, b: Operand): Tensor => compare('less', a, b);
export const lessEqual = (a: Operand, b: Operand): Tensor => compare('lessEqual', a, b);
export const greater = (a: Operand, b: Operand): Tensor => compare('greater', a, b);
export const greaterEqual = (a: Operand, b: Operand): Tensor => compare('greaterEqual', a, b);

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const square = (x: Tensor): Tensor => unary('square', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const expm1 = (x: Tensor): Tensor => unary('expm1', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const log1p = (x: Tensor): Tensor => unary('log1p', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const softplus = (x: Tensor): Tensor => unary('softplus', x);
export const floor = (x: Tensor): Tensor => unary('floor', x);
export const ceil = (x: Tensor): Tensor => unary('ceil', x);
export const round = (x: Tensor): Tensor => unary('round', x);
