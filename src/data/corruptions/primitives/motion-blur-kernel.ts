/**
 * P3 (spec §2): ImageMagick `MotionBlurImage(radius, sigma, angle)` on an 8-bit image, as called
 * through Wand by motion_blur and snow (MagickCore effect.c).
 *
 *   width W = 2·ceil(radius) + 1                       (GetOptimalKernelWidth1D, radius > 0)
 *   k_i = exp(−i²/(2σ²)), i = 0..W−1, normalised        (one-sided Gaussian)
 *   ox_i = ceil(i·py/h − 0.5), oy_i = ceil(i·px/h − 0.5) with px = W·sin θ, py = W·cos θ, h = hypot(px, py)
 *   acc(x, y) = Σ_i k_i · Q(clampX(x + ox_i), clampY(y + oy_i))   (edge virtual pixels)
 *
 * in 16-bit quantum units Q = 257·v (ImageMagick 6, Q16), stored as q = floor(acc + 0.5) clamped to
 * 0..65535 (ClampToQuantum), then written as 8 bits as floor(q/257). This last step was measured,
 * not read: with ImageMagick 6.9.11-60 Q16 (Debian 12), Wand motion blur + PNG output matches
 * floor(round(257·Σ k_i·v_i)/257) on every value of a 256-level impulse sweep, while the spec's
 * round(Σ k_i·v_i) is 1 level too high in ~half the cases (scripts/fixtures/corruptions.py checks
 * whole images against the real ImageMagick).
 *
 * The offsets are computed exactly as ImageMagick does (through px, py and hypot rather than cos θ
 * and sin θ) because ceil(· − 0.5) is sensitive to the last bit at half-integers.
 */
import { edgeIndex } from './boundary.js';
import { exactExp } from './exp.js';

const SQRT_2PI = 2.5066282746310002; // MagickSQ2PI
const MAGICK_EPSILON = 1e-12;

export interface MotionBlurKernel {
  readonly weights: Float64Array;
  readonly dx: Int32Array;
  readonly dy: Int32Array;
}

export function motionBlurKernel(radius: number, sigma: number, angleDegrees: number): MotionBlurKernel {
  const weights = motionBlurWeights(radius, sigma);
  return { weights, ...motionBlurOffsets(weights.length, angleDegrees) };
}

/** The normalised one-sided Gaussian weights k_0..k_{W−1} (they do not depend on the angle). */
export function motionBlurWeights(radius: number, sigma: number): Float64Array {
  if (!(radius > 0)) throw new RangeError(`motionBlurKernel: radius must be > 0, got ${radius}`);
  const width = 2 * Math.ceil(radius) + 1;
  const s = Math.abs(sigma) < MAGICK_EPSILON ? MAGICK_EPSILON : sigma; // MagickSigma
  const weights = new Float64Array(width);
  let total = 0;
  for (let i = 0; i < width; i++) {
    // ImageMagick's expression, including the 1/(sqrt(2π)·σ) that the normalisation removes (kept for bit parity)
    weights[i] = exactExp(-(i * i) / (2 * s * s)) / (SQRT_2PI * s);
    total += weights[i]!;
  }
  for (let i = 0; i < width; i++) weights[i] = weights[i]! / total;
  return weights;
}

/** The tap offsets (ox_i, oy_i) of a kernel of `width` taps at `angleDegrees`. */
export function motionBlurOffsets(width: number, angleDegrees: number): { dx: Int32Array; dy: Int32Array } {
  const theta = (Math.PI * angleDegrees) / 180;
  const px = width * Math.sin(theta);
  const py = width * Math.cos(theta);
  const h = Math.hypot(px, py);
  const dx = new Int32Array(width);
  const dy = new Int32Array(width);
  for (let i = 0; i < width; i++) {
    dx[i] = Math.ceil((i * py) / h - 0.5);
    dy[i] = Math.ceil((i * px) / h - 0.5);
  }
  return { dx, dy };
}

/** Motion-blur each plane of a planar 8-bit image (any number of planes). */
export function motionBlurBytes(
  planes: Uint8Array,
  height: number,
  width: number,
  kernel: MotionBlurKernel,
): Uint8Array {
  const hw = height * width;
  const out = new Uint8Array(planes.length);
  const taps = kernel.weights.length;
  for (let base = 0; base < planes.length; base += hw) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let i = 0; i < taps; i++) {
          const sy = edgeIndex(y + kernel.dy[i]!, height);
          const sx = edgeIndex(x + kernel.dx[i]!, width);
          acc += kernel.weights[i]! * (257 * planes[base + sy * width + sx]!);
        }
        out[base + y * width + x] = quantum16ToByte(acc);
      }
    }
  }
  return out;
}

/** ClampToQuantum (Q16, non-HDRI: round) then the measured 8-bit PNG write: floor(q/257). */
export function quantum16ToByte(acc: number): number {
  const q = acc <= 0 ? 0 : acc >= 65535 ? 65535 : Math.floor(acc + 0.5);
  return Math.floor(q / 257);
}
