import randomSource from '../../shaders/random.wgsl';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, shaderSection } from '../gpu/wgsl.js';
import { assertValidShape, sizeOf, type Shape } from '../tensor/shape.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';
import { assertKey, type Key } from './key.js';

function draw(kind: 'uniform' | 'normal' | 'truncated_normal', k: Key, shape: Shape, a: number, b: number): Tensor {
  const op = kind === 'truncated_normal' ? 'random.truncatedNormal' : `random.${kind}`;
  assertKey(op, k);
  assertValidShape(op, shape);
  const out = allocTensor(shape, 'float32');
  const size = sizeOf(shape);
  if (size === 0) return out;
  launch(
    { name: op, key: `random|${kind}`, wgsl: () => WGSL_COMMON + shaderSection(randomSource, kind) },
    {
      bindings: [out.binding(op)],
      uniforms: new UniformWriter().u32(size).u32(k.k0).u32(k.k1).f32(a).f32(b),
      workgroups: Math.ceil(size / 4 / 64),
    },
  );
  return out;
}

/** Uniform samples in [lo, hi) (24 random bits each). */
export function uniform(k: Key, shape: Shape, lo = 0, hi = 1): Tensor {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) throw new RangeError(`random.uniform: need finite lo < hi, got lo = ${lo}, hi = ${hi}`);
  return draw('uniform', k, shape, lo, hi);
}

export interface NormalOptions {
  mean?: number;
  std?: number;
}

/** Normal samples N(mean, std²) (Box–Muller on Philox words). */
export function normal(k: Key, shape: Shape, opts: NormalOptions = {}): Tensor {
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  if (!Number.isFinite(mean) || !(std >= 0) || !Number.isFinite(std)) throw new RangeError(`random.normal: need a finite mean and std ≥ 0, got mean = ${mean}, std = ${std}`);
  return draw('normal', k, shape, mean, std);
}

/** N(0, 1) truncated to [−radius, radius] independently per coordinate (scipy's truncnorm(−r, r)). */
export function truncatedNormalCoordinates(k: Key, shape: Shape, radius: number): Tensor {
  return draw('truncated_normal', k, shape, radius, 0);
}
