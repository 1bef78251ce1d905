// Kernel-level entry points for benchmarks that compare kernel variants; not part of the public
// API. bench/run.mjs bundles this file (with esbuild, like dist/) and initialises it on the
// device of dist/perturbset.js, so both bundles measure the same device.
export * from '../../src/index.js';
export { matmulKernel, matmulConfig } from '../../src/ops/matmul-kernel.js';
export { adapterKind, fixedSubgroupSize } from '../../src/gpu/adapter-kind.js';
export type { MatmulVariant, MatmulTile, MatmulConfig } from '../../src/ops/matmul-kernel.js';
export { convForward, convInputGradient, convWeightGradient, convConfig } from '../../src/ops/conv-kernel.js';
export type { ConvForce, ConvVariant } from '../../src/ops/conv-kernel.js';
export { convGeometry } from '../../src/ops/conv.js';
