export { mnistConv } from './mnist-conv.js';
export { mnistFc } from './mnist-fc.js';
export { cifar10Rectangle, type Cifar10RectangleConfig } from './cifar10-rectangle.js';
export { fromConfig, trainingOptionsFromConfig, type ConfigTrainingOptions } from './config.js';
