/**
 * The defocus kernel `disk(radius, alias_blur)` of make_cifar_c.py (spec P4), in float32 as there:
 *
 *   17×17 grid X, Y ∈ {−8..8}; D = 1[X² + Y² ≤ r²] as float32, D /= sum(D);
 *   K = cv2.GaussianBlur(D, (3, 3), σ = alias_blur)
 *
 * GaussianBlur on float32 = separable 3-tap filter with OpenCV's float32 kernel
 * (g = [e, 1, e]·(1/(e + 1 + e)), e = exp(−1/(2σ²)), each entry rounded to float32), rows then
 * columns, each output s·g₀ + (left + right)·g₁ rounded to float32. The float32 rounding is kept
 * because it decides whether the kernel sums to slightly below or above 1, which decides the
 * floor() of every blurred flat region and linear ramp. The result is trimmed to its non-zero
 * rows/columns (radius ≤ 8 only, as in the CIFAR table).
 */
import { exactExp } from './exp.js';
import type { Kernel2d } from './filter2d.js';

const f32 = Math.fround;

/** OpenCV getGaussianKernel(3, σ, CV_32F). */
export function gaussianKernel3f32(sigma: number): [number, number] {
  const scale2X = -0.5 / (sigma * sigma);
  const edge = f32(exactExp(scale2X));
  const centre = f32(1);
  const inv = 1 / (edge + centre + edge);
  return [f32(centre * inv), f32(edge * inv)];
}

export function diskKernel(radius: number, aliasBlur: number): Kernel2d {
  if (radius > 8) throw new RangeError(`diskKernel: radius ${radius} > 8 needs the 5×5 branch, not used by CIFAR`);
  const n = 17;
  const half = 8;
  const disk = new Float32Array(n * n);
  let count = 0;
  for (let y = -half; y <= half; y++) {
    for (let x = -half; x <= half; x++) {
      if (x * x + y * y <= radius * radius) {
        disk[(y + half) * n + (x + half)] = 1;
        count++;
      }
    }
  }
  for (let i = 0; i < disk.length; i++) disk[i] = disk[i]! / count; // float32 store = numpy's float32 division
  const [g0, g1] = gaussianKernel3f32(aliasBlur);
  // the disk sits in the middle of the 17×17 grid, so the border rule of the blur is never reached
  const rowPass = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 1; x < n - 1; x++) {
      const i = y * n + x;
      rowPass[i] = f32(f32(disk[i]! * g0) + f32(f32(disk[i - 1]! + disk[i + 1]!) * g1));
    }
  }
  const blurred = new Float32Array(n * n);
  for (let y = 1; y < n - 1; y++) {
    for (let x = 0; x < n; x++) {
      const i = y * n + x;
      blurred[i] = f32(f32(rowPass[i]! * g0) + f32(f32(rowPass[i - n]! + rowPass[i + n]!) * g1));
    }
  }
  let lo = n;
  let hi = -1;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (blurred[y * n + x] !== 0) {
        lo = Math.min(lo, y, x);
        hi = Math.max(hi, y, x);
      }
    }
  }
  const size = hi - lo + 1;
  const weights = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) weights[y * size + x] = blurred[(y + lo) * n + (x + lo)]!;
  }
  return { weights, rows: size, cols: size, anchorRow: half - lo, anchorCol: half - lo };
}
