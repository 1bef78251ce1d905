import rtsSource from '../../shaders/rts.wgsl';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, shaderBody } from '../gpu/wgsl.js';
import { fused } from '../ops/fused.js';
import { assertKey, foldIn, type Key } from '../random/key.js';
import { philox4x32, wordsToUnit53 } from '../random/philox.js';
import { uniform } from '../random/sample.js';
import { fmtShape } from '../tensor/shape.js';
import { allocTensor, assertTensor, uploadTensor, type Tensor } from '../tensor/tensor.js';

function assertImages(op: string, x: Tensor): void {
  assertTensor(op, x, 'x');
  if (x.rank !== 4 || x.dtype !== 'float32') throw new Error(`${op}: x must be float32 images [B, C, H, W], got ${x.dtype} ${fmtShape(x.shape)}`);
}

/** The reference `linfinity` perturbation: x̃ = clamp(x + U(−ε, ε), 0, 1) per pixel, fresh noise from `key`. */
export function linf(key: Key, x: Tensor, opts: { epsilon: number; min?: number; max?: number }): Tensor {
  const op = 'perturb.linf';
  assertKey(op, key);
  assertImages(op, x);
  const { epsilon } = opts;
  const lo = opts.min ?? 0;
  const hi = opts.max ?? 1;
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new RangeError(`${op}: epsilon must be a positive finite number, got ${epsilon}`);
  if (!(lo < hi)) throw new RangeError(`${op}: min ${lo} must be below max ${hi}`);
  const noise = uniform(key, x.shape, -epsilon, epsilon);
  const xt = fused(op, { expr: 'clamp(x + u, lo, hi)', grads: {} }, [
    { name: 'x', value: x },
    { name: 'u', value: noise },
    { name: 'lo', value: lo },
    { name: 'hi', value: hi },
  ]);
  noise.dispose();
  return xt;
}

export interface RTSOptions {
  /** Maximum rotation in degrees (uniform in ±angle; reference 45). */
  angle?: number;
  /** Isotropic scale range (reference [0.7, 1.3]). */
  scale?: readonly [number, number];
  /** Padding of the random crop (reference 7): a uniform integer shift in [−padding, padding]. */
  padding?: number;
}

/**
 * The reference `rts` perturbation (RandomAffine(angle, scale) with nearest resampling and zero
 * fill, then RandomCrop(H, padding)) for single- or multi-channel images; each image draws its own
 * angle, scale and shift from `key` (image b uses foldIn(key, b)). Output has the input's size.
 */
export function rts(key: Key, x: Tensor, opts: RTSOptions = {}): Tensor {
  const op = 'perturb.rts';
  assertKey(op, key);
  assertImages(op, x);
  const angle = opts.angle ?? 45;
  const [sLo, sHi] = opts.scale ?? [0.7, 1.3];
  const pad = opts.padding ?? 7;
  if (!(angle >= 0 && angle <= 180)) throw new RangeError(`${op}: angle must be in [0, 180] degrees, got ${angle}`);
  if (!(sLo > 0 && sHi >= sLo)) throw new RangeError(`${op}: scale must be [lo, hi] with 0 < lo ≤ hi, got [${sLo}, ${sHi}]`);
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`${op}: padding must be a non-negative integer, got ${pad}`);
  const [B, C, H, W] = x.shape as [number, number, number, number];
  // Per image: θ ~ U(−angle, angle), s ~ U(lo, hi), crop offsets ~ U{0, …, 2·pad} (one Philox block).
  const params = new Float32Array(B * C * 4);
  const words = new Uint32Array(4);
  for (let b = 0; b < B; b++) {
    const k = foldIn(key, b);
    philox4x32(0, 0, 0, 0, k.k0, k.k1, words);
    const theta = ((2 * wordsToUnit53(words[0]!, words[1]!) - 1) * angle * Math.PI) / 180;
    const s = sLo + (sHi - sLo) * wordsToUnit53(words[2]!, words[3]!);
    philox4x32(1, 0, 0, 0, k.k0, k.k1, words);
    const oy = Math.floor(wordsToUnit53(words[0]!, words[1]!) * (2 * pad + 1));
    const ox = Math.floor(wordsToUnit53(words[2]!, words[3]!) * (2 * pad + 1));
    for (let c = 0; c < C; c++) params.set([Math.cos(theta) / s, Math.sin(theta) / s, oy, ox], (b * C + c) * 4);
  }
  const paramTensor = uploadTensor(params, [B * C, 4], 'float32');
  const out = allocTensor(x.shape, 'float32');
  if (out.size > 0) {
    launch(
      { name: op, key: 'rts', wgsl: () => WGSL_COMMON + shaderBody(rtsSource) },
      { bindings: [x.binding(op), paramTensor.binding(op), out.binding(op)], uniforms: new UniformWriter().u32(B * C).u32(H).u32(W).u32(pad), workgroups: Math.ceil(out.size / 64) },
    );
  }
  paramTensor.dispose();
  return out;
}
