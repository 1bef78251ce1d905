import { l2Norm } from '../ops/norms.js';
import { fused } from '../ops/fused.js';
import { reshape } from '../ops/shape-ops.js';
import { gammaIncInvFromLog, gammaTails } from '../stats/gamma.js';
import { assertValidShape, fmtShape, sizeOf, type Shape } from '../tensor/shape.js';
import { uploadTensor, type Tensor } from '../tensor/tensor.js';
import { assertKey, split, type Key } from './key.js';
import { philox4x32, wordsToUnit53 } from './philox.js';
import { normal, truncatedNormalCoordinates } from './sample.js';

export interface TruncatedNormalOptions {
  /** 'ball' (default): N(0, I) conditioned on ‖z‖₂ ≤ radius per sample; 'coordinate': each coordinate truncated to [−radius, radius]. */
  mode?: 'ball' | 'coordinate';
}

/**
 * Radii of standard normal vectors in dimension d conditioned on ‖z‖ ≤ ε, exactly: ‖z‖² / 2 is
 * Gamma(d/2), so r = √(2·P⁻¹(d/2, u·P(d/2, ε²/2))) for u ~ U(0, 1]; computed in log space, as
 * P(d/2, ε²/2) underflows when ε is well below √d. Float64 on the CPU, one uniform per sample.
 */
export function truncatedChiRadii(k: Key, count: number, dimension: number, radius: number): Float64Array {
  const a = dimension / 2;
  const logMass = gammaTails(a, (radius * radius) / 2).logLower;
  const out = new Float64Array(count);
  const words = new Uint32Array(4);
  for (let i = 0; i < count; i++) {
    philox4x32(i, 0, 0, 0, k.k0, k.k1, words);
    const u = 1 - wordsToUnit53(words[0]!, words[1]!); // (0, 1]
    const x = gammaIncInvFromLog(a, Math.log(u) + logMass);
    out[i] = Math.min(Math.sqrt(2 * x), radius);
  }
  return out;
}

/**
 * Samples of N(0, I) truncated to radius ε. Mode 'ball' treats the first axis as the batch and
 * draws each row from the normal conditioned on the l2 ball (direction uniform on the sphere,
 * radius from the truncated chi distribution — no rejection loop); 'coordinate' truncates each
 * coordinate to [−ε, ε], as the reference code's `scipy.stats.truncnorm.rvs(-r, r)` does.
 */
export function truncatedNormal(k: Key, shape: Shape, radius: number, opts: TruncatedNormalOptions = {}): Tensor {
  const op = 'random.truncatedNormal';
  assertKey(op, k);
  assertValidShape(op, shape);
  if (!(radius > 0) || !Number.isFinite(radius)) throw new RangeError(`${op}: radius must be a positive finite number, got ${radius}`);
  const mode = opts.mode ?? 'ball';
  if (mode === 'coordinate') return truncatedNormalCoordinates(k, shape, radius);
  if (mode !== 'ball') throw new Error(`${op}: mode must be 'ball' or 'coordinate', got '${String(mode)}'`);
  if (shape.length < 1 || sizeOf(shape) === 0) throw new Error(`${op}: 'ball' mode needs a non-empty shape [B, ...], got ${fmtShape(shape)}`);
  const batch = shape.length === 1 ? 1 : shape[0]!;
  const dimension = sizeOf(shape) / batch;
  const [directionKey, radiusKey] = split(k, 2) as [Key, Key];
  const radii = truncatedChiRadii(radiusKey, batch, dimension, radius);
  const g = normal(directionKey, shape);
  const rows = shape.length === 1 ? reshape(g, [1, dimension]) : g;
  const norms = l2Norm(rows);
  if (rows !== g) rows.dispose();
  const r = uploadTensor(Float32Array.from(radii), [batch], 'float32');
  const bshape = shape.length === 1 ? [dimension] : [batch, ...shape.slice(1).map(() => 1)];
  const scale = fused(op, { expr: 'select(r / n, 0.0, n <= 0.0)', grads: {} }, [
    { name: 'r', value: r },
    { name: 'n', value: norms },
  ]);
  const scaleB = shape.length === 1 ? reshape(scale, [1]) : reshape(scale, bshape);
  const z = fused(op, { expr: 'g * s', grads: {} }, [
    { name: 'g', value: g },
    { name: 's', value: scaleB },
  ]);
  for (const t of [g, norms, r, scale, scaleB]) t.dispose();
  return z;
}
