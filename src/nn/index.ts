export { Module } from './module.js';
export {
  Conv2d,
  Linear,
  BatchNorm2d,
  Sequential,
  ReLU,
  Sigmoid,
  Tanh,
  ScaledTanh,
  MaxPool2d,
  UpsamplingNearest2d,
  Flatten,
  type Conv2dLayerOptions,
  type LinearOptions,
  type BatchNormLayerOptions,
} from './layers.js';
export { valueAndGradParams } from './params-grad.js';
export { layerKey, resetDefaultInitStream, kaimingUniformA5, fanInUniform } from './init.js';
