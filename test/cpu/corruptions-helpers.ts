// Shared test images and fixture access for the corruption tests (not a test file itself).
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { CorruptionName, Severity } from '../../src/data/corruptions/types.js';

/** Spec §7.4 test image T[y][x][c] = (8x + 3y + 40c) mod 256, as NCHW floats k/255 (one image). */
export function imageT(height = 32, width = 32): Float32Array {
  const out = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) out[c * height * width + y * width + x] = ((8 * x + 3 * y + 40 * c) % 256) / 255;
    }
  }
  return out;
}

/** The fixture script's second image: flat regions, hard edges, a checkerboard (image_u there). */
export function imageU(height = 32, width = 32): Float32Array {
  const out = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v: number;
        if (x >= 8 && x < 20 && y >= 6 && y < 18) v = [200, 30, 60][c]!;
        else if ((x - 22) ** 2 + (y - 22) ** 2 <= 36) v = [20, 180, 220][c]!;
        else if (y >= height - 6) v = ((x >> 1) + (y >> 1)) & 1 ? 255 : 0;
        else v = Math.floor(((4 * x + 6 * y + 50 * c) % 256) / 2) + 32;
        out[c * height * width + y * width + x] = v / 255;
      }
    }
  }
  return out;
}

/** Concatenate single images into one batch. */
export function batchOf(...images: Float32Array[]): Float32Array {
  const out = new Float32Array(images.reduce((n, im) => n + im.length, 0));
  let o = 0;
  for (const im of images) {
    out.set(im, o);
    o += im.length;
  }
  return out;
}

/** Stored bytes of float outputs k/255. */
export function toStoredBytes(values: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(values as ArrayLike<number>, (v) => Math.round(v * 255));
}

export interface FixtureCase {
  name: Exclude<CorruptionName, 'frost'>;
  severity: Severity;
  image: number;
  bytes: string;
}

export interface Fixture {
  seed: number;
  versions: Record<string, string>;
  cases: FixtureCase[];
  p1: { sigma: number; truncate: number; weights: number[] }[];
  p2: { zoom: number; ch: number; top: number; n: number; t: number }[];
  p3: { radius: number; sigma: number; angle: number; image: 'u' | 'impulse'; bytes: string }[];
  p4: { radius: number; aliasBlur: number; kernel5x5: number[][] }[];
  jpeg: {
    odd_sizes: { height: number; width: number; quality: number; input: string; bytes: string }[];
    psnr: { image: number; quality: number; psnr: number }[];
    q40_luma: number[];
    q40_chroma: number[];
  };
  exp: [number, number][];
}

let cached: Fixture | undefined;

/** test/fixtures/corruptions.json, written by scripts/fixtures/corruptions.py. */
export function fixture(): Fixture {
  cached ??= JSON.parse(readFileSync(new URL('../fixtures/corruptions.json', import.meta.url), 'utf8')) as Fixture;
  return cached;
}

/** Decode a fixture image: base64 of zlib-compressed NCHW bytes. */
export function decodeBytes(b64: string): Uint8Array {
  return new Uint8Array(inflateSync(Buffer.from(b64, 'base64')));
}

/** Count of differing values and the largest difference. */
export function compareBytes(a: Uint8Array, b: Uint8Array): { differing: number; maxDiff: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > 0) differing++;
    maxDiff = Math.max(maxDiff, d);
  }
  return { differing, maxDiff };
}

/** PSNR in dB between two byte images. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10((255 * 255) / (se / a.length));
}
