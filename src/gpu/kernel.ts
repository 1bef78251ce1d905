import type { Binding } from './queue.js';
import { runtime } from './runtime.js';
import type { UniformWriter } from './uniforms.js';

/**
 * A compute kernel as a small typed object (after TF.js programs and onnxruntime's ProgramInfo):
 * `key` names everything the WGSL text depends on; sizes go in `uniforms`. Bindings are numbered
 * in order — storage buffers first (as the kernel declares them), the uniform struct last.
 */
export interface Kernel {
  /** For error messages: the op that launched it, e.g. 'matmul'. */
  name: string;
  key: string;
  wgsl: () => string;
}

export interface Launch {
  bindings: readonly Binding[];
  uniforms?: UniformWriter;
  /** Number of workgroups; folded into 2-D when it exceeds the per-dimension limit. */
  workgroups: number | readonly [number, number, number];
}

export function launch(kernel: Kernel, { bindings, uniforms, workgroups }: Launch): void {
  const rt = runtime();
  const grid = typeof workgroups === 'number' ? foldWorkgroups(workgroups, rt.maxWorkgroupsPerDimension) : workgroups;
  if (grid[0] === 0 || grid[1] === 0 || grid[2] === 0) return;
  for (const [i, b] of bindings.entries()) {
    if (b.size <= 0 || b.size % 4 !== 0) throw new Error(`${kernel.name}: binding ${i} has invalid size ${b.size}`);
  }
  const pipeline = rt.pipelines.get(kernel.key, kernel.name, kernel.wgsl);
  rt.queue.dispatch(kernel.name, pipeline, bindings, uniforms ? uniforms.bytes() : null, grid);
}

/**
 * Splits `count` workgroups over x and y so neither exceeds `maxPerDim`. Kernels recover the
 * linear workgroup index as `wid.x + wid.y * nwg.x` and must ignore indices ≥ count.
 */
export function foldWorkgroups(count: number, maxPerDim: number): [number, number, number] {
  if (count <= maxPerDim) return [count, 1, 1];
  const y = Math.ceil(count / maxPerDim);
  if (y > maxPerDim) throw new RangeError(`dispatch of ${count} workgroups exceeds ${maxPerDim}²`);
  return [Math.ceil(count / y), y, 1];
}
