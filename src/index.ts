// The public surface of perturbset (see API.md). Nothing but re-exports lives here.
import './ops/methods.js';

export { init, flush, runtime, Runtime } from './gpu/runtime.js';
export type { InitOptions, AdapterInfo } from './gpu/device.js';
export { Tensor, isTensor } from './tensor/tensor.js';
export type { NestedArray } from './tensor/tensor.js';
export type { DType } from './tensor/dtype.js';
export { tidy, keep, memory, type MemoryInfo } from './tensor/tracking.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange } from './tensor/creation.js';
export * from './ops/index.js';
export { valueAndGrad, grad, noGrad, type GradOptions, type GradTree } from './autograd/grad.js';
export * as random from './random/index.js';
export * as stats from './stats/index.js';
export { assign } from './tensor/assign.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as schedules from './optim/schedules.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export * as models from './perturbation/models/index.js';
export * from './perturbation/index.js';
export * from './robust/index.js';
export * as smoothing from './robust/smoothing-index.js';
