/**
 * GPU ports of defocus_blur, gaussian_blur, glass_blur, motion_blur and zoom_blur (kernels in
 * shaders/corruptions_blur.wgsl). Kernel weights, motion-blur taps and zoom plans come from the
 * CPU reference's own primitives (float64, then f32); see the shader file for the anchor form and
 * the flat-neighbourhood tables that keep the f32 sums on the reference's side of each floor().
 */
import { launch } from '../../../gpu/kernel.js';
import { UniformWriter } from '../../../gpu/uniforms.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { defocusKernel } from '../defocus-blur.js';
import { Draws } from '../draws.js';
import { paramsFor } from '../params.js';
import type { Kernel2d } from '../primitives/filter2d.js';
import { filter2dReflect101 } from '../primitives/filter2d.js';
import { gaussianFilter2d, gaussianKernel1d } from '../primitives/gaussian-filter.js';
import { motionBlurOffsets, motionBlurWeights } from '../primitives/motion-blur-kernel.js';
import { storeUnit, storeUnitF32 } from '../quantize.js';
import type { Severity } from '../types.js';
import { zoomBlurPlan } from '../zoom-blur.js';
import { unitTableBinding } from './constants.js';
import type { GpuCorruption, GpuJob } from './types.js';
import { WordWriter } from './words.js';
import { corruptionKernel } from './wgsl.js';

const EDGE = 0;
/** f32 filter sums within this of a storage boundary (byte units) are redone in software float64. */
const EPS = 1e-3;
const REFLECT101 = 1;

interface FilterSpec {
  readonly kernel: Kernel2d;
  readonly mode: typeof EDGE | typeof REFLECT101;
  /** Σ w − 1 of the reference's (float64) weights. */
  readonly delta: number;
  /** Whether the reference filters separably with `weights1d` (skimage) or densely (filter2D). */
  readonly separable: boolean;
  /** params words (layout in corruptions_blur.wgsl) and the offsets of its float64 parts. */
  readonly words: Uint32Array;
  readonly f64At: number;
  readonly unitAt: number;
}

/** Appends a float64 as (high word, low word) of its IEEE bits. */
function appendF64(w: WordWriter, v: number): void {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  w.u32(view.getUint32(0)).u32(view.getUint32(4));
}

/**
 * @param weights1d the reference's 1-D kernel for a separable filter (kernel.weights is then its
 *   outer product), or null for a dense one
 * @param flatOf the reference's stored byte for a constant image of byte u
 */
function filterSpec(kernel: Kernel2d, mode: FilterSpec['mode'], delta: number, weights1d: Float64Array | null, flatOf: (u: number) => number): FilterSpec {
  const w = new WordWriter();
  for (let u = 0; u < 256; u++) w.u32(flatOf(u));
  for (const weight of kernel.weights) w.f32v(weight);
  const f64At = w.length;
  for (const weight of weights1d ?? kernel.weights) appendF64(w, weight);
  const unitAt = w.length;
  for (let u = 0; u < 256; u++) appendF64(w, u / 255);
  return { kernel, mode, delta, separable: weights1d !== null, words: w.finish(), f64At, unitAt };
}

/** The centre value of a constant n×n plane of u/255 after `filter`, stored. */
function constantResult(u: number, n: number, filter: (plane: Float64Array) => Float64Array): number {
  const out = filter(new Float64Array(n * n).fill(u / 255));
  return storeUnit(out[Math.floor(n / 2) * n + Math.floor(n / 2)]!);
}

function launchFilter(job: GpuJob, src: Tensor, dst: Tensor, spec: FilterSpec): void {
  const n = job.batch * 3 * job.height * job.width;
  const { kernel } = spec;
  launch(corruptionKernel('blur', 'filter', job.op), {
    bindings: [src.binding(job.op), dst.binding(job.op), job.upload(spec.words).binding(job.op)],
    uniforms: new UniformWriter()
      .u32(n)
      .u32(3 * job.height * job.width)
      .u32(job.height * job.width)
      .u32(job.height)
      .u32(job.width)
      .u32(kernel.rows)
      .u32(kernel.cols)
      .u32(kernel.anchorRow)
      .u32(kernel.anchorCol)
      .u32(spec.mode)
      .u32(spec.separable ? 1 : 0)
      .u32(spec.f64At)
      .u32(spec.unitAt)
      .f32(spec.delta)
      .f32(EPS),
    workgroups: Math.ceil(n / 64),
  });
}

const defocusSpecs = new Map<Severity, FilterSpec>();

function defocusSpec(severity: Severity): FilterSpec {
  let spec = defocusSpecs.get(severity);
  if (!spec) {
    const kernel = defocusKernel(severity);
    // the weights are float32 values: their float64 sum is exact
    const delta = kernel.weights.reduce((a, b) => a + b, 0) - 1;
    const size = Math.max(kernel.rows, kernel.cols) + 2;
    spec = filterSpec(kernel, REFLECT101, delta, null, (u) => constantResult(u, size, (plane) => filter2dReflect101(plane, size, size, kernel)));
    defocusSpecs.set(severity, spec);
  }
  return spec;
}

export const defocusBlurGPU: GpuCorruption = {
  name: 'defocus_blur',
  enqueue(job) {
    launchFilter(job, job.src, job.dst, defocusSpec(job.severity));
  },
};

const gaussianSpecs = new Map<number, FilterSpec>();

/** skimage gaussian(σ, edge mode, truncate 4) as one dense kernel of w_i·w_j. */
function gaussianSpec(sigma: number): FilterSpec {
  let spec = gaussianSpecs.get(sigma);
  if (!spec) {
    const w = sigma <= 1e-15 ? Float64Array.of(1) : gaussianKernel1d(sigma, 4);
    const size = w.length;
    const weights = new Float64Array(size * size);
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) weights[i * size + j] = w[i]! * w[j]!;
    const sum = w.reduce((a, b) => a + b, 0);
    const r = (size - 1) / 2;
    const kernel: Kernel2d = { weights, rows: size, cols: size, anchorRow: r, anchorCol: r };
    const n = size + 2;
    spec = filterSpec(kernel, EDGE, sum * sum - 1, w, (u) => constantResult(u, n, (plane) => gaussianFilter2d(plane, n, n, sigma, 'edge', 4)));
    gaussianSpecs.set(sigma, spec);
  }
  return spec;
}

export const gaussianBlurGPU: GpuCorruption = {
  name: 'gaussian_blur',
  enqueue(job) {
    launchFilter(job, job.src, job.dst, gaussianSpec(paramsFor('gaussian_blur', job.severity).sigma));
  },
};

export const glassBlurGPU: GpuCorruption = {
  name: 'glass_blur',
  enqueue(job) {
    const { sigma, maxDelta, iterations } = paramsFor('glass_blur', job.severity);
    if (maxDelta !== 1) throw new Error(`glass_blur: the GPU shift supports d = 1, got ${maxDelta}`);
    const n = job.batch * 3 * job.height * job.width;
    const pixels = job.batch * job.height * job.width;
    const spec = gaussianSpec(sigma);
    let a = job.scratch(n);
    let b = job.scratch(n);
    launchFilter(job, job.src, a, spec);
    for (let t = 0; t < iterations; t++) {
      launch(corruptionKernel('blur', 'glass_shift', job.op), {
        bindings: [a.binding(job.op), b.binding(job.op), job.keyWords.binding(job.op)],
        uniforms: new UniformWriter().u32(pixels).u32(job.height * job.width).u32(job.height).u32(job.width).u32(t),
        workgroups: Math.ceil(pixels / 64),
      });
      [a, b] = [b, a];
    }
    launchFilter(job, a, job.dst, spec);
  },
};

const motionWeightCache = new Map<Severity, Float64Array>();

function motionWeights(severity: Severity): Float64Array {
  let w = motionWeightCache.get(severity);
  if (!w) {
    const { radius, sigma } = paramsFor('motion_blur', severity);
    w = motionBlurWeights(radius, sigma);
    motionWeightCache.set(severity, w);
  }
  return w;
}

export const motionBlurGPU: GpuCorruption = {
  name: 'motion_blur',
  enqueue(job) {
    const weights = motionWeights(job.severity);
    const taps = weights.length;
    const w = new WordWriter();
    for (const key of job.keys) {
      const { dx, dy } = motionBlurOffsets(taps, new Draws(key).uniformIn(0, 0, -45, 45));
      for (let t = 0; t < taps; t++) w.f32v(weights[t]!).i32v(dx[t]!).i32v(dy[t]!);
    }
    const n = job.batch * 3 * job.height * job.width;
    launch(corruptionKernel('blur', 'motion', job.op), {
      bindings: [job.src.binding(job.op), job.dst.binding(job.op), job.upload(w.finish()).binding(job.op)],
      uniforms: new UniformWriter()
        .u32(n)
        .u32(job.height * job.width)
        .u32(job.height)
        .u32(job.width)
        .u32(3 * job.height * job.width)
        .u32(taps),
      workgroups: Math.ceil(n / 64),
    });
  },
};

const f32 = Math.fround;

/** zoom_blur of a constant image of byte u: every zoom is exactly x (zoom-blur.ts, float32). */
function zoomFlat(u: number, count: number): number {
  const x = f32(u / 255);
  let acc = 0;
  for (let k = 0; k < count; k++) acc = f32(acc + x);
  return storeUnitF32(f32(f32(x + acc) / (count + 1)));
}

const zoomParams = new Map<string, { words: Uint32Array; rowsAt: number; colsAt: number }>();

function zoomParamsFor(severity: Severity, height: number, width: number): { words: Uint32Array; rowsAt: number; colsAt: number } {
  const id = `${severity}/${height}/${width}`;
  let entry = zoomParams.get(id);
  if (!entry) {
    const { count } = paramsFor('zoom_blur', severity);
    const w = new WordWriter();
    for (let u = 0; u < 256; u++) w.u32(zoomFlat(u, count));
    const axis = (n: number) => {
      for (let k = 0; k < count; k++) {
        const plan = zoomBlurPlan(n, k);
        for (let o = 0; o < n; o++) {
          // scipy's order-1 weights w0 = 1 − f, w1 = 1 − w0 (zoom.ts)
          const w0 = 1 - plan.frac[o]!;
          w.i32v(plan.lower[o]!).f32v(w0).f32v(1 - w0);
        }
      }
    };
    const rowsAt = w.length;
    axis(height);
    const colsAt = w.length;
    axis(width);
    entry = { words: w.finish(), rowsAt, colsAt };
    zoomParams.set(id, entry);
  }
  return entry;
}

export const zoomBlurGPU: GpuCorruption = {
  name: 'zoom_blur',
  enqueue(job) {
    const { count } = paramsFor('zoom_blur', job.severity);
    const params = zoomParamsFor(job.severity, job.height, job.width);
    const n = job.batch * 3 * job.height * job.width;
    launch(corruptionKernel('blur', 'zoom', job.op), {
      bindings: [job.src.binding(job.op), job.dst.binding(job.op), job.upload(params.words).binding(job.op), unitTableBinding()],
      uniforms: new UniformWriter()
        .u32(n)
        .u32(job.height * job.width)
        .u32(job.height)
        .u32(job.width)
        .u32(count)
        .u32(params.rowsAt)
        .u32(params.colsAt),
      workgroups: Math.ceil(n / 64),
    });
  },
};
