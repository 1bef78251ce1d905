/**
 * Procedural frost texture sheets — the asset-free substitute of spec §6 (a DEVIATION from
 * CIFAR-10-C, whose frost uses five photographs that are not available here).
 *
 * Five sheets with the sizes of the reference's decimated photos (W×H 180×120, 112×63, 112×63,
 * 105×70, 132×99); sheet 3 is a copy of sheet 2, as frost3.png is pixel-identical to frost2.png, so
 * that texture keeps probability 2/5. Each sheet is generated from a fixed key (independent of the
 * user's key, so the "asset set" is stable): sheet s uses foldIn(key(FROST_SHEET_SEED), s).
 *
 * Luminance G = w_s·fBm + w_f·fine + w_r·ridges (each component standardised first, then G
 * standardised to mean 0, variance 1):
 *   fBm    value noise, 4 octaves, wavelengths 32, 16, 8, 4 px, amplitudes 1, ½, ¼, ⅛ (smoothstep
 *          interpolation of U(−1, 1) lattice values; octave o uses stream o, lattice point
 *          gy·(cols) + gx)
 *   fine   white N(0, 1) noise (stream 4, pixel p). The spec suggests blurring it with σ ≈ 0.5 px;
 *          that leaves no room for the ridges when fitting the lag-1/2/4 targets (the best fit
 *          then drops them), while unblurred noise fits all four photos within 0.015 (model) / 0.05
 *          (generated sheets)
 *   ridges ice "dendrites": round(W·H/300) strokes; stroke i draws from stream 16 + i, uniforms in
 *          order: start x, start y, angle, length (6–24 px), then per branch node a spacing
 *          (2–4 px); each node spawns branches at ±60° of length 0.6·(remaining length), two
 *          levels deep; every segment is a 1-px line (profile 1 within 0.5 px of the centre line,
 *          falling linearly to 0 at 1.5 px: the soft halo), strokes combined by max, height 1.5.
 * Colour: F_c = round(clamp(mean_c + std_c·G, 0, 255)) with the per-photo channel means and stds
 * of spec §6. The weights are amplitudes of the standardised components, fitted (least max error
 * over a 0.005 grid of variance shares) to the photos' grey lag-1/2/4 autocorrelations; the test
 * (test/cpu/corruptions-frost.test.ts) holds them to ±0.05 of the targets (the spec asks ±0.1).
 */
import { Draws } from './draws.js';
import { foldIn, key } from '../../random/key.js';

export const FROST_SHEET_SEED = 0x46524f53; // 'FROS'

export interface FrostSheetSpec {
  readonly width: number;
  readonly height: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** Target grey autocorrelation at lags 1, 2, 4 (measured on the photos, spec §6). */
  readonly autocorrelation: readonly [number, number, number];
  /** Mixing weights (smooth fBm, fine noise, ridges). */
  readonly weights: readonly [number, number, number];
}

export const FROST_SHEET_SPECS: readonly FrostSheetSpec[] = [
  { width: 180, height: 120, mean: [77.5, 149.0, 165.7], std: [26.8, 16.4, 15.3], autocorrelation: [0.69, 0.65, 0.58], weights: [0.636, 0.515, 0.574] },
  { width: 112, height: 63, mean: [200.8, 205.4, 214.5], std: [21.4, 22.1, 22.6], autocorrelation: [0.6, 0.53, 0.48], weights: [0.566, 0.608, 0.557] },
  { width: 112, height: 63, mean: [200.8, 205.4, 214.5], std: [21.4, 22.1, 22.6], autocorrelation: [0.6, 0.53, 0.48], weights: [0.566, 0.608, 0.557] },
  { width: 105, height: 70, mean: [138.1, 152.9, 165.1], std: [29.0, 28.9, 30.2], autocorrelation: [0.48, 0.42, 0.39], weights: [0.579, 0.711, 0.4] },
  { width: 132, height: 99, mean: [112.1, 122.8, 134.4], std: [44.2, 43.2, 41.6], autocorrelation: [0.58, 0.49, 0.42], weights: [0.418, 0.604, 0.678] },
];

export interface FrostSheet {
  readonly width: number;
  readonly height: number;
  /** Planar RGB bytes, `data[c·H·W + y·W + x]`. */
  readonly data: Uint8Array;
}

function standardise(v: Float64Array): Float64Array {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let variance = 0;
  for (const x of v) variance += (x - mean) * (x - mean);
  const sd = Math.sqrt(variance / v.length) || 1;
  return v.map((x) => (x - mean) / sd);
}

const smoothstep = (t: number): number => t * t * (3 - 2 * t);

export function valueNoiseFbm(draws: Draws, width: number, height: number): Float64Array {
  const out = new Float64Array(width * height);
  let amplitude = 1;
  for (let octave = 0; octave < 4; octave++) {
    const wavelength = 32 / 2 ** octave;
    const cols = Math.floor((width - 1) / wavelength) + 2;
    for (let y = 0; y < height; y++) {
      const gy = Math.floor(y / wavelength);
      const ty = smoothstep(y / wavelength - gy);
      for (let x = 0; x < width; x++) {
        const gx = Math.floor(x / wavelength);
        const tx = smoothstep(x / wavelength - gx);
        const lattice = (j: number, i: number): number => draws.uniformIn(octave, j * cols + i, -1, 1);
        const top = lattice(gy, gx) * (1 - tx) + lattice(gy, gx + 1) * tx;
        const bottom = lattice(gy + 1, gx) * (1 - tx) + lattice(gy + 1, gx + 1) * tx;
        out[y * width + x] = out[y * width + x]! + amplitude * (top * (1 - ty) + bottom * ty);
      }
    }
    amplitude /= 2;
  }
  return out;
}

export function fineNoise(draws: Draws, width: number, height: number): Float64Array {
  const white = new Float64Array(width * height);
  for (let p = 0; p < white.length; p++) white[p] = draws.normal(4, p);
  return white;
}

/** Max-combine a line segment with the 1-px profile into `layer`. */
function drawSegment(layer: Float64Array, width: number, height: number, x0: number, y0: number, x1: number, y1: number): void {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const xmin = Math.max(0, Math.floor(Math.min(x0, x1) - 2));
  const xmax = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + 2));
  const ymin = Math.max(0, Math.floor(Math.min(y0, y1) - 2));
  const ymax = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + 2));
  for (let y = ymin; y <= ymax; y++) {
    for (let x = xmin; x <= xmax; x++) {
      const t = len2 > 0 ? Math.min(1, Math.max(0, ((x - x0) * dx + (y - y0) * dy) / len2)) : 0;
      const d = Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
      const profile = Math.min(1, Math.max(0, 1.5 - d));
      const i = y * width + x;
      if (profile > layer[i]!) layer[i] = profile;
    }
  }
}

export function dendrites(draws: Draws, width: number, height: number): Float64Array {
  const layer = new Float64Array(width * height);
  const strokes = Math.round((width * height) / 300);
  for (let s = 0; s < strokes; s++) {
    const stream = 16 + s;
    let j = 0;
    const next = (): number => draws.uniform(stream, j++);
    const branch = (x: number, y: number, angle: number, length: number, depth: number): void => {
      const ex = x + length * Math.cos(angle);
      const ey = y + length * Math.sin(angle);
      drawSegment(layer, width, height, x, y, ex, ey);
      if (depth >= 2) return;
      for (let t = 2 + 2 * next(); t < length; t += 2 + 2 * next()) {
        const bx = x + t * Math.cos(angle);
        const by = y + t * Math.sin(angle);
        const rest = 0.6 * (length - t);
        if (rest < 1) break;
        branch(bx, by, angle + Math.PI / 3, rest, depth + 1);
        branch(bx, by, angle - Math.PI / 3, rest, depth + 1);
      }
    };
    const x = next() * width;
    const y = next() * height;
    const angle = next() * 2 * Math.PI;
    const length = 6 + 18 * next();
    branch(x, y, angle, length, 0);
  }
  for (let i = 0; i < layer.length; i++) layer[i] = 1.5 * layer[i]!;
  return layer;
}

/** The luminance field G of sheet `index` (mean 0, variance 1). */
export function frostLuminance(index: number, weights = FROST_SHEET_SPECS[index]!.weights): Float64Array {
  const spec = FROST_SHEET_SPECS[index]!;
  const source = index === 2 ? 1 : index; // sheet 3 = sheet 2
  const draws = new Draws(foldIn(key(FROST_SHEET_SEED), source));
  const { width, height } = spec;
  const parts = [valueNoiseFbm(draws, width, height), fineNoise(draws, width, height), dendrites(draws, width, height)].map(
    standardise,
  );
  const g = new Float64Array(width * height);
  for (let p = 0; p < g.length; p++) g[p] = weights[0] * parts[0]![p]! + weights[1] * parts[1]![p]! + weights[2] * parts[2]![p]!;
  return standardise(g);
}

const sheets: (FrostSheet | undefined)[] = [];

/** Sheet `index` (0..4), generated on first use and cached. */
export function frostSheet(index: number): FrostSheet {
  const cached = sheets[index];
  if (cached) return cached;
  const spec = FROST_SHEET_SPECS[index]!;
  const g = frostLuminance(index);
  const hw = spec.width * spec.height;
  const data = new Uint8Array(3 * hw);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < hw; p++) {
      const v = spec.mean[c]! + spec.std[c]! * g[p]!;
      data[c * hw + p] = Math.round(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
  const sheet = { width: spec.width, height: spec.height, data };
  sheets[index] = sheet;
  return sheet;
}
