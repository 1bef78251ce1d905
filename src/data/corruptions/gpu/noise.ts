/**
 * GPU ports of the noise corruptions (spec §4.4; kernels in shaders/corruptions_noise.wgsl). Same
 * draws as the CPU files: normal / uniform / Poisson variate e of stream 0 for value e.
 * gaussian/speckle: f32 arithmetic, values within 1e-3 of a storage boundary are flagged and
 * recomputed on the CPU. impulse: exact integer threshold tests. shot: exact inversion tables
 * (λ ≤ 30) and PTRS with exact integer comparisons, flagging the f32 floor / log test when close.
 */
import { launch } from '../../../gpu/kernel.js';
import { UniformWriter } from '../../../gpu/uniforms.js';
import { Draws } from '../draws.js';
import { paramsFor } from '../params.js';
import { poisson } from '../poisson.js';
import { storeUnit } from '../quantize.js';
import type { Severity } from '../types.js';
import { constantBuffer } from './constants.js';
import type { GpuCorruption, GpuJob } from './types.js';
import { WordWriter, split53, unitThreshold } from './words.js';
import { corruptionKernel } from './wgsl.js';

/** Half-width (byte units) of the band around a storage boundary where f32 defers to the CPU. */
const EPS = 1e-3;

function plane(job: GpuJob): number {
  return 3 * job.height * job.width;
}

function size(job: GpuJob): number {
  return job.batch * plane(job);
}

function gaussianLike(name: 'gaussian_noise' | 'speckle_noise'): GpuCorruption {
  const speckle = name === 'speckle_noise';
  return {
    name,
    enqueue(job) {
      const { sigma } = paramsFor(name, job.severity);
      launch(corruptionKernel('noise', 'gaussian', job.op), {
        bindings: [job.src.binding(job.op), job.dst.binding(job.op), job.keyWords.binding(job.op), job.status.binding(job.op)],
        uniforms: new UniformWriter().u32(size(job)).u32(plane(job)).u32(job.capacity).u32(speckle ? 1 : 0).f32(sigma).f32(EPS),
        workgroups: Math.ceil(size(job) / 64),
      });
    },
    resolve(job, b, e, u) {
      const v = u / 255;
      const n = new Draws(job.keys[b]!).normal(0, e);
      const { sigma } = paramsFor(name, job.severity);
      return storeUnit(speckle ? v + v * (sigma * n) : v + sigma * n);
    },
  };
}

export const gaussianNoiseGPU = gaussianLike('gaussian_noise');
export const speckleNoiseGPU = gaussianLike('speckle_noise');

export const impulseNoiseGPU: GpuCorruption = {
  name: 'impulse_noise',
  enqueue(job) {
    const { amount } = paramsFor('impulse_noise', job.severity);
    const [saltHi, saltLo] = unitThreshold(amount / 2);
    const [pepperHi, pepperLo] = unitThreshold(amount);
    launch(corruptionKernel('noise', 'impulse', job.op), {
      bindings: [job.src.binding(job.op), job.dst.binding(job.op), job.keyWords.binding(job.op)],
      uniforms: new UniformWriter().u32(size(job)).u32(plane(job)).u32(saltHi).u32(saltLo).u32(pepperHi).u32(pepperLo),
      workgroups: Math.ceil(size(job) / 64),
    });
  },
};

const INVERSION_MAX = 30; // poisson.ts: inversion for λ ≤ 30, PTRS above

/**
 * The shot-noise table of one severity (layout in corruptions_noise.wgsl): per byte u a record,
 * the inversion thresholds or PTRS constants, then kbyte[k] = storeUnit(k/c) for k = 0..c.
 * Everything is computed in float64 exactly as poisson.ts does.
 */
export function shotNoiseTable(severity: Severity): { words: Uint32Array; kbyteAt: number } {
  const c = paramsFor('shot_noise', severity).photons;
  const w = new WordWriter();
  for (let i = 0; i < 4 * 256; i++) w.u32(0);
  const records: number[][] = [];
  for (let u = 0; u < 256; u++) {
    const lambda = (u / 255) * c;
    if (lambda === 0) {
      records.push([0, 0, 0, 0]);
    } else if (lambda <= INVERSION_MAX) {
      // poisson.ts returns the first k with u < cdf_k or p_k = 0; list thresholds until cdf stops growing
      const at = w.length;
      let k = 0;
      let p = Math.exp(-lambda);
      let cdf = p;
      let count = 0;
      for (;;) {
        w.append(unitThreshold(cdf));
        count++;
        k++;
        p *= lambda / k;
        const next = cdf + p;
        if (next === cdf || p === 0) break;
        cdf = next;
      }
      while (p > 0) {
        k++;
        p *= lambda / k;
      }
      records.push([1, at, count, k]);
    } else {
      const slam = Math.sqrt(lambda);
      const b = 0.931 + 2.53 * slam;
      const a = -0.059 + 0.02483 * b;
      const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
      const vr = 0.9277 - 3.6224 / (b - 2);
      const at = w.length;
      const lamInt = Math.floor(lambda);
      // V ≤ vr ⇔ m_V < floor(vr·2^53) + 1
      const [vrHi, vrLo] = split53(Math.floor(vr * 9007199254740992) + 1);
      w.u32(lamInt).f32v(lambda - lamInt).f32v(Math.log(lambda)).f32v(a).f32v(b).f32v(Math.log(invAlpha)).u32(vrHi).u32(vrLo);
      records.push([2, at, 0, 0]);
    }
  }
  const kbyteAt = w.length;
  for (let k = 0; k <= c; k++) w.u32(storeUnit(k / c));
  const words = w.finish();
  records.forEach((r, u) => words.set(r, 4 * u));
  return { words, kbyteAt };
}

const shotTables = new Map<Severity, { words: Uint32Array; kbyteAt: number }>();

function shotTable(severity: Severity): { words: Uint32Array; kbyteAt: number } {
  let t = shotTables.get(severity);
  if (!t) {
    t = shotNoiseTable(severity);
    shotTables.set(severity, t);
  }
  return t;
}

export const shotNoiseGPU: GpuCorruption = {
  name: 'shot_noise',
  enqueue(job) {
    const { photons } = paramsFor('shot_noise', job.severity);
    const table = shotTable(job.severity);
    const [t07Hi, t07Lo] = unitThreshold(0.07);
    const [t013Hi, t013Lo] = unitThreshold(0.013);
    launch(corruptionKernel('noise', 'shot', job.op), {
      bindings: [
        job.src.binding(job.op),
        job.dst.binding(job.op),
        job.keyWords.binding(job.op),
        constantBuffer(`shot/${job.severity}`, () => table.words),
        job.status.binding(job.op),
      ],
      uniforms: new UniformWriter()
        .u32(size(job))
        .u32(plane(job))
        .u32(job.capacity)
        .u32(photons)
        .u32(table.kbyteAt)
        .u32(t07Hi)
        .u32(t07Lo)
        .u32(t013Hi)
        .u32(t013Lo),
      workgroups: Math.ceil(size(job) / 64),
    });
  },
  resolve(job, b, e, u) {
    const { photons } = paramsFor('shot_noise', job.severity);
    return storeUnit(poisson(new Draws(job.keys[b]!), 0, e, (u / 255) * photons) / photons);
  },
};
