/**
 * Master parameter table (spec §5): the CIFAR-10-C values of make_cifar_c.py for severities 1..5.
 * Index [severity − 1]. Do not confuse with the ImageNet-C values (spec §5, last paragraph).
 */
import type { Severity } from './types.js';

type PerSeverity<T> = readonly [T, T, T, T, T];

export const PARAMS = {
  /** (disk radius r, alias blur σ) — spec §3.1, P4. */
  defocus_blur: [
    { radius: 0.3, aliasBlur: 0.4 },
    { radius: 0.4, aliasBlur: 0.5 },
    { radius: 0.5, aliasBlur: 0.6 },
    { radius: 1, aliasBlur: 0.2 },
    { radius: 1.5, aliasBlur: 0.1 },
  ],
  /** (σ, max shift d, iterations) — spec §3.2. */
  glass_blur: [
    { sigma: 0.05, maxDelta: 1, iterations: 1 },
    { sigma: 0.25, maxDelta: 1, iterations: 1 },
    { sigma: 0.4, maxDelta: 1, iterations: 1 },
    { sigma: 0.25, maxDelta: 1, iterations: 2 },
    { sigma: 0.4, maxDelta: 1, iterations: 2 },
  ],
  /** ImageMagick (radius, σ); angle ~ U(−45°, 45°) — spec §3.3, P3. */
  motion_blur: [
    { radius: 6, sigma: 1 },
    { radius: 6, sigma: 1.5 },
    { radius: 6, sigma: 2 },
    { radius: 8, sigma: 2 },
    { radius: 9, sigma: 2.5 },
  ],
  /** Number of zoom factors z_k = 1 + k·δ, k = 0..count−1 — spec §3.4, P2. */
  zoom_blur: [{ count: 7 }, { count: 12 }, { count: 16 }, { count: 21 }, { count: 26 }],
  /** spec §3.5. */
  snow: [
    { mean: 0.1, std: 0.2, zoom: 1, threshold: 0.6, blurRadius: 8, blurSigma: 3, blend: 0.95 },
    { mean: 0.1, std: 0.2, zoom: 1, threshold: 0.5, blurRadius: 10, blurSigma: 4, blend: 0.9 },
    { mean: 0.15, std: 0.3, zoom: 1.75, threshold: 0.55, blurRadius: 10, blurSigma: 4, blend: 0.9 },
    { mean: 0.25, std: 0.3, zoom: 2.25, threshold: 0.6, blurRadius: 12, blurSigma: 6, blend: 0.85 },
    { mean: 0.3, std: 0.3, zoom: 1.25, threshold: 0.65, blurRadius: 14, blurSigma: 12, blend: 0.8 },
  ],
  /** out = a·u + b·F (0..255 units) — spec §3.6. */
  frost: [
    { imageWeight: 1, frostWeight: 0.2 },
    { imageWeight: 1, frostWeight: 0.3 },
    { imageWeight: 0.9, frostWeight: 0.4 },
    { imageWeight: 0.85, frostWeight: 0.4 },
    { imageWeight: 0.75, frostWeight: 0.45 },
  ],
  /** (fog strength c, plasma wibble decay) — spec §3.7. */
  fog: [
    { strength: 0.2, decay: 3 },
    { strength: 0.5, decay: 3 },
    { strength: 0.75, decay: 2.5 },
    { strength: 1, decay: 2 },
    { strength: 1.5, decay: 1.75 },
  ],
  /** V ← clip(V + c, 0, 1) — spec §3.8. */
  brightness: [{ shift: 0.05 }, { shift: 0.1 }, { shift: 0.15 }, { shift: 0.2 }, { shift: 0.3 }],
  /** (v − μ)·c + μ per channel — spec §3.9. */
  contrast: [{ factor: 0.75 }, { factor: 0.5 }, { factor: 0.4 }, { factor: 0.3 }, { factor: 0.15 }],
  /** 32·(0, 0, 0.08), 32·(0.05, 0.2, 0.07), … for 32-px images — spec §3.10. */
  elastic_transform: [
    { alpha: 32 * 0, sigma: 32 * 0, affine: 32 * 0.08 },
    { alpha: 32 * 0.05, sigma: 32 * 0.2, affine: 32 * 0.07 },
    { alpha: 32 * 0.08, sigma: 32 * 0.06, affine: 32 * 0.06 },
    { alpha: 32 * 0.1, sigma: 32 * 0.04, affine: 32 * 0.05 },
    { alpha: 32 * 0.1, sigma: 32 * 0.03, affine: 32 * 0.03 },
  ],
  /** Intermediate size floor(32·c) — spec §3.11. */
  pixelate: [{ factor: 0.95 }, { factor: 0.9 }, { factor: 0.85 }, { factor: 0.75 }, { factor: 0.65 }],
  /** JPEG quality — spec §3.12. */
  jpeg_compression: [{ quality: 80 }, { quality: 65 }, { quality: 58 }, { quality: 50 }, { quality: 40 }],
  /** skimage gaussian σ (edge mode, truncate 4) — spec §4.1. */
  gaussian_blur: [{ sigma: 0.4 }, { sigma: 0.6 }, { sigma: 0.7 }, { sigma: 0.8 }, { sigma: 1 }],
  /** spec §4.2: liquid N(mean, std), blurred by σ1, threshold; mud mask blur c4; water or mud. */
  spatter: [
    { mean: 0.62, std: 0.1, sigma: 0.7, threshold: 0.7, intensity: 0.5, mode: 'water' },
    { mean: 0.65, std: 0.1, sigma: 0.8, threshold: 0.7, intensity: 0.5, mode: 'water' },
    { mean: 0.65, std: 0.3, sigma: 1, threshold: 0.69, intensity: 0.5, mode: 'water' },
    { mean: 0.65, std: 0.1, sigma: 0.7, threshold: 0.69, intensity: 0.6, mode: 'mud' },
    { mean: 0.65, std: 0.1, sigma: 0.5, threshold: 0.68, intensity: 0.6, mode: 'mud' },
  ],
  /** S ← clip(S·scale + shift, 0, 1) — spec §4.3. */
  saturate: [
    { scale: 0.3, shift: 0 },
    { scale: 0.1, shift: 0 },
    { scale: 1.5, shift: 0 },
    { scale: 2, shift: 0.1 },
    { scale: 2.5, shift: 0.2 },
  ],
  /** v + N(0, σ) — spec §4.4. */
  gaussian_noise: [{ sigma: 0.04 }, { sigma: 0.06 }, { sigma: 0.08 }, { sigma: 0.09 }, { sigma: 0.1 }],
  /** Poisson(v·c)/c — spec §4.4. */
  shot_noise: [{ photons: 500 }, { photons: 250 }, { photons: 100 }, { photons: 75 }, { photons: 50 }],
  /** salt-and-pepper amount p — spec §4.4. */
  impulse_noise: [{ amount: 0.01 }, { amount: 0.02 }, { amount: 0.03 }, { amount: 0.05 }, { amount: 0.07 }],
  /** v + v·N(0, σ) — spec §4.4. */
  speckle_noise: [{ sigma: 0.06 }, { sigma: 0.1 }, { sigma: 0.12 }, { sigma: 0.16 }, { sigma: 0.2 }],
} as const satisfies Record<string, PerSeverity<object>>;

export type CorruptionParams<N extends keyof typeof PARAMS> = (typeof PARAMS)[N][number];

export function paramsFor<N extends keyof typeof PARAMS>(name: N, severity: Severity): CorruptionParams<N> {
  return PARAMS[name][severity - 1] as CorruptionParams<N>;
}
