/**
 * A procedural, labelled colour-image data set for offline demos and tests (API: ps.data.synthetic).
 *
 * Image i is a function of foldIn(key, i) alone (so the first m images of n are the m images of
 * m). Its class y decides the foreground: shape y mod 10 (disk, square, triangle, ring, cross,
 * star, striped square, checkered disk, diamond, crescent) and hue frac(y·0.618034) (±0.02 jitter);
 * position, scale, rotation, saturation and value are random. The background is a linear gradient
 * between two muted random colours with a sinusoidal grating and fine value noise. Edges are
 * anti-aliased by 3×3 supersampling. So blurs have edges to act on, brightness/saturate/contrast
 * have colour, JPEG and pixelate have texture and gratings. Values are quantised to k/255 like
 * CIFAR's bytes.
 *
 * Draw layout (Philox, see corruptions/draws.ts), stream 0 of the image key:
 *   word 0: class = intBelow(classes); uniforms 1..: hue jitter, saturation, value, centre x,
 *   centre y, scale, rotation, background hue A, sat A, val A, hue B, sat B, val B, gradient angle,
 *   grating period, grating angle, grating amplitude, grating phase (uniform j at index j, see
 *   UNIFORM below); stream 1: value-noise lattice (uniform at lattice point gy·cols + gx).
 */
import { Draws } from './corruptions/draws.js';
import { foldIn, type Key } from '../random/key.js';

export interface SyntheticOptions {
  /** Image side (default 32). */
  size?: number;
  /** Number of classes (default 10); class c uses shape c mod 10 and hue frac(c·0.618034). */
  classes?: number;
}

export interface SyntheticData {
  /** n×3×size×size floats in [0, 1] (multiples of 1/255), NCHW. */
  images: Float32Array;
  labels: Int32Array;
}

export const SHAPES = [
  'disk',
  'square',
  'triangle',
  'ring',
  'cross',
  'star',
  'striped square',
  'checkered disk',
  'diamond',
  'crescent',
] as const;

/** Uniform indices of stream 0 (index 0 is the class word). */
const UNIFORM = {
  hueJitter: 1,
  saturation: 2,
  value: 3,
  centreX: 4,
  centreY: 5,
  scale: 6,
  rotation: 7,
  backgroundA: 8, // hue, sat, val at 8, 9, 10
  backgroundB: 11, // hue, sat, val at 11, 12, 13
  gradientAngle: 14,
  gratingPeriod: 15,
  gratingAngle: 16,
  gratingAmplitude: 17,
  gratingPhase: 18,
} as const;

const GOLDEN = 0.618034;

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const h6 = (((h % 1) + 1) % 1) * 6;
  const i = Math.floor(h6);
  const f = h6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const sextants: [number, number, number][] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]];
  return sextants[i % 6]!;
}

/** Signed distance (negative inside) of shape `kind` at local coordinates (u, v), unit scale. */
export function shapeDistance(kind: number, u: number, v: number): number {
  const r = Math.hypot(u, v);
  switch (kind) {
    case 0:
    case 7:
      return r - 1;
    case 1:
    case 6:
      return Math.max(Math.abs(u), Math.abs(v)) - 0.8;
    case 2:
      return Math.max(-v - 0.5, (Math.sqrt(3) / 2) * Math.abs(u) + v / 2 - 0.5) * 1.2;
    case 3:
      return Math.abs(r - 0.72) - 0.25;
    case 4:
      return Math.min(Math.max(Math.abs(u) - 1, Math.abs(v) - 0.3), Math.max(Math.abs(u) - 0.3, Math.abs(v) - 1));
    case 5:
      return r - (0.62 + 0.36 * Math.cos(5 * Math.atan2(v, u)));
    case 8:
      return (Math.abs(u) + Math.abs(v) - 1) * 0.8;
    default:
      return Math.max(r - 1, -(Math.hypot(u - 0.5, v) - 0.75));
  }
}

/** Inner pattern of the textured shapes: 1 for the second colour, 0 for the first. */
function shapePattern(kind: number, u: number, v: number): number {
  if (kind === 6) return Math.floor((u + 2) / 0.32) % 2;
  if (kind === 7) return (Math.floor((u + 2) / 0.45) + Math.floor((v + 2) / 0.45)) % 2;
  return 0;
}

function valueNoise(draws: Draws, x: number, y: number, cell: number, cols: number): number {
  const gx = Math.floor(x / cell);
  const gy = Math.floor(y / cell);
  const tx = x / cell - gx;
  const ty = y / cell - gy;
  const at = (j: number, i: number): number => draws.uniform(1, j * cols + i);
  const sx = tx * tx * (3 - 2 * tx);
  const sy = ty * ty * (3 - 2 * ty);
  const top = at(gy, gx) * (1 - sx) + at(gy, gx + 1) * sx;
  const bottom = at(gy + 1, gx) * (1 - sx) + at(gy + 1, gx + 1) * sx;
  return top * (1 - sy) + bottom * sy;
}

/** Render image `index` (its own key) into `out` (3·size² values) and return its label. */
export function renderSynthetic(imageKey: Key, size: number, classes: number, out: Float32Array): number {
  const d = new Draws(imageKey);
  const u = (j: number): number => d.uniform(0, j);
  const label = d.intBelow(0, 0, classes);
  const kind = label % SHAPES.length;
  const fg = hsvToRgb(label * GOLDEN + (u(UNIFORM.hueJitter) - 0.5) * 0.04, 0.55 + 0.45 * u(UNIFORM.saturation), 0.55 + 0.45 * u(UNIFORM.value));
  const fg2: [number, number, number] =
    kind === 7 ? [0.95, 0.95, 0.92] : [fg[0] * 0.45, fg[1] * 0.45, fg[2] * 0.45];
  const cx = (0.3 + 0.4 * u(UNIFORM.centreX)) * size;
  const cy = (0.3 + 0.4 * u(UNIFORM.centreY)) * size;
  const scale = (0.2 + 0.14 * u(UNIFORM.scale)) * size;
  const rot = 2 * Math.PI * u(UNIFORM.rotation);
  const muted = (j: number): [number, number, number] => hsvToRgb(u(j), 0.35 * u(j + 1), 0.2 + 0.7 * u(j + 2));
  const bgA = muted(UNIFORM.backgroundA);
  const bgB = muted(UNIFORM.backgroundB);
  const gAngle = 2 * Math.PI * u(UNIFORM.gradientAngle);
  const period = 3 + 6 * u(UNIFORM.gratingPeriod);
  const tAngle = Math.PI * u(UNIFORM.gratingAngle);
  const amplitude = 0.03 + 0.06 * u(UNIFORM.gratingAmplitude);
  const phase = 2 * Math.PI * u(UNIFORM.gratingPhase);
  const cell = Math.max(2, size / 8);
  const cols = Math.floor((size - 1) / cell) + 2;
  const cosR = Math.cos(rot);
  const sinR = Math.sin(rot);
  const hw = size * size;
  const SS = 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // background: gradient + grating + fine noise
      const t = 0.5 + ((x / size - 0.5) * Math.cos(gAngle) + (y / size - 0.5) * Math.sin(gAngle)) * 0.9;
      const grating = amplitude * Math.sin((2 * Math.PI * (x * Math.cos(tAngle) + y * Math.sin(tAngle))) / period + phase);
      const noise = 0.06 * (valueNoise(d, x, y, cell, cols) - 0.5);
      const rgb = [0, 1, 2].map((c) => bgA[c]! * (1 - t) + bgB[c]! * t + grating + noise);
      // foreground coverage by 3×3 supersampling
      const acc = [0, 0, 0];
      let covered = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const px = x + (sx + 0.5) / SS - 0.5 - cx;
          const py = y + (sy + 0.5) / SS - 0.5 - cy;
          const lu = (cosR * px + sinR * py) / scale;
          const lv = (-sinR * px + cosR * py) / scale;
          if (shapeDistance(kind, lu, lv) < 0) {
            const colour = shapePattern(kind, lu, lv) ? fg2 : fg;
            for (let c = 0; c < 3; c++) acc[c] = acc[c]! + colour[c]!;
            covered++;
          }
        }
      }
      const alpha = covered / (SS * SS);
      for (let c = 0; c < 3; c++) {
        const fgc = covered > 0 ? acc[c]! / covered : 0;
        const v = rgb[c]! * (1 - alpha) + fgc * alpha;
        out[c * hw + y * size + x] = Math.round(255 * Math.min(1, Math.max(0, v))) / 255;
      }
    }
  }
  return label;
}

/** `ps.data.synthetic` on the CPU: n labelled images from `key`. */
export function syntheticCPU(key: Key, n: number, options: SyntheticOptions = {}): SyntheticData {
  const size = options.size ?? 32;
  const classes = options.classes ?? 10;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`synthetic: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(size) || size < 4) throw new RangeError(`synthetic: size must be an integer ≥ 4, got ${size}`);
  if (!Number.isInteger(classes) || classes < 1 || classes > 1000) {
    throw new RangeError(`synthetic: classes must be an integer in [1, 1000], got ${classes}`);
  }
  const plane = 3 * size * size;
  const images = new Float32Array(n * plane);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = renderSynthetic(foldIn(key, i), size, classes, images.subarray(i * plane, (i + 1) * plane));
  return { images, labels };
}
