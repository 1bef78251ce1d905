export { ImageDataset, batchIndices, randomSplit, permutation } from './dataset.js';
export { loadMNIST, type MNIST, type MNISTBuffers } from './mnist.js';
export { parseNpy as loadNpy, encodeNpy, type Npy } from './npy.js';
export { perturbedPairs, tensorPairs, type PairSource } from './pair-source.js';
export * as perturb from './perturb.js';
