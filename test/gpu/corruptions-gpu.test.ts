// ps.data.corrupt on the GPU against the float64/uint8 CPU reference (corruptCPU), for every
// GPU-ported corruption and severity: spec §7.2 asks for identical stored values on ≥ 99 % and
// never more than one level apart (the ports reach 100 % on most; motion and zoom blur can be one
// level off on rare values). Also: determinism per key, the batch/key layout, the CPU fallback,
// pair pre-generation on the GPU, and the errors. Small batches (4 images of 32×32) keep it fast on
// SwiftShader; no Node APIs (this file also runs in Chromium and Deno).
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { corruptCPU } from '../../src/data/corruptions/cpu.js';
import { GPU_REGISTRY } from '../../src/data/corruptions/gpu/registry.js';
import type { CorruptionName, Severity } from '../../src/data/corruptions/types.js';
import { syntheticCPU } from '../../src/data/synthetic.js';
import { thrown } from './helpers/check.js';

beforeAll(async () => {
  await ps.init();
});

const SEVERITIES: Severity[] = [1, 2, 3, 4, 5];
const GPU_NAMES = Object.keys(GPU_REGISTRY) as CorruptionName[];

/**
 * An H×W test image with what trips float32 up: flat regions, hard edges, linear ramps (their
 * symmetric blurs land exactly on a storage boundary), a checkerboard, saturated and grey pixels.
 */
function structuredImage(height: number, width: number): Float32Array {
  const hw = height * width;
  const out = new Float32Array(3 * hw);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let v: number;
        if (x < width / 4) v = [200, 30, 60][c]!; // flat block
        else if (y < height / 4) v = (3 * x + 40 * c) % 256; // ramp along x
        else if (y >= height - 6) v = ((x >> 1) + (y >> 1)) & 1 ? 255 : 0; // checkerboard
        else if (x >= (3 * width) / 4) v = c === 0 ? 255 : 128; // saturated red, ties
        else v = (5 * y + 7 * x * (c + 1)) % 256;
        out[c * hw + y * width + x] = v / 255;
      }
    }
  }
  return out;
}

function testImages(height = 32, width = 32, count = 4): Float32Array {
  const size = 3 * height * width;
  const out = new Float32Array(count * size);
  out.set(structuredImage(height, width), 0);
  if (count > 1) out.fill(77 / 255, size, 2 * size); // a constant image
  if (count > 2 && height === width) out.set(syntheticCPU(ps.random.key(5), count - 2, { size: height }).images, 2 * size);
  else for (let i = 2 * size; i < out.length; i++) out[i] = ((i * 2654435761) >>> 24) / 255;
  return out;
}

/** Share of identical stored values and the largest difference in levels (1/255). */
function agreement(gpu: ArrayLike<number>, cpu: ArrayLike<number>): { identical: number; maxLevels: number; at: number } {
  let same = 0;
  let maxLevels = 0;
  let at = -1;
  for (let i = 0; i < cpu.length; i++) {
    if (gpu[i] === cpu[i]) {
      same++;
      continue;
    }
    const d = Math.abs(Math.round(gpu[i]! * 255) - Math.round(cpu[i]! * 255));
    if (d > maxLevels || at < 0) {
      maxLevels = d;
      at = i;
    }
  }
  return { identical: same / cpu.length, maxLevels, at };
}

async function gpuValues(key: ps.random.Key, x: ps.Tensor, name: CorruptionName, severity: Severity): Promise<Float32Array> {
  const out = await ps.data.corrupt(key, x, name, severity, { backend: 'gpu' });
  expect(out.shape).toEqual(x.shape);
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe('GPU corruptions equal the CPU reference', () => {
  const key = ps.random.key(2024);
  for (const name of GPU_NAMES) {
    it(`${name}, severities 1–5, 4 images 32×32`, async () => {
      const images = testImages();
      const x = ps.tensor(images, [4, 3, 32, 32]);
      const failures: string[] = [];
      for (const severity of SEVERITIES) {
        const gpu = await gpuValues(key, x, name, severity);
        const cpu = corruptCPU(key, images, [4, 3, 32, 32], name, severity);
        const a = agreement(gpu, cpu);
        if (a.identical < 0.99 || a.maxLevels > 1) {
          failures.push(`severity ${severity}: ${(100 * a.identical).toFixed(3)} % identical, max ${a.maxLevels} levels (value ${a.at})`);
        }
      }
      x.dispose();
      expect(failures).toEqual([]);
    });
  }

  it('every GPU corruption on non-square images (2 images 20×28, severities 2 and 5)', async () => {
    const images = testImages(20, 28, 2);
    const x = ps.tensor(images, [2, 3, 20, 28]);
    const failures: string[] = [];
    for (const name of GPU_NAMES) {
      for (const severity of [2, 5] as Severity[]) {
        const a = agreement(await gpuValues(key, x, name, severity), corruptCPU(key, images, [2, 3, 20, 28], name, severity));
        if (a.identical < 0.99 || a.maxLevels > 1) failures.push(`${name} ${severity}: ${(100 * a.identical).toFixed(3)} %, max ${a.maxLevels}`);
      }
    }
    x.dispose();
    expect(failures).toEqual([]);
  });
});

describe('keys and batches', () => {
  const random: CorruptionName[] = ['glass_blur', 'motion_blur', 'frost', 'elastic_transform', 'gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise'];

  it('the same key gives the same images; another key other ones; image b depends on (key, b) only', async () => {
    const images = testImages();
    const x = ps.tensor(images, [4, 3, 32, 32]);
    const first2 = ps.tensor(images.subarray(0, 2 * 3072), [2, 3, 32, 32]);
    for (const name of random) {
      const a = await gpuValues(ps.random.key(1), x, name, 5);
      const b = await gpuValues(ps.random.key(1), x, name, 5);
      const c = await gpuValues(ps.random.key(2), x, name, 5);
      const prefix = await gpuValues(ps.random.key(1), first2, name, 5);
      expect(agreement(a, b).identical).toBe(1);
      expect(agreement(a, c).identical).toBeLessThan(1);
      expect(agreement(prefix, a.subarray(0, prefix.length)).identical).toBe(1);
    }
    x.dispose();
    first2.dispose();
  });

  it("backend 'auto' runs CPU-only corruptions on the CPU, 'cpu' forces the reference", async () => {
    const images = testImages();
    const x = ps.tensor(images, [4, 3, 32, 32]);
    const key = ps.random.key(9);
    for (const [name, backend] of [
      ['jpeg_compression', 'auto'],
      ['fog', 'auto'],
      ['zoom_blur', 'cpu'],
    ] as const) {
      const out = await ps.data.corrupt(key, x, name, 3, { backend });
      expect(agreement(await out.data(), corruptCPU(key, images, [4, 3, 32, 32], name, 3)).identical).toBe(1);
      out.dispose();
    }
    expect(ps.data.corruptionHasGPU('jpeg_compression')).toBe(false);
    expect(ps.data.corruptionHasGPU('zoom_blur')).toBe(true);
    x.dispose();
  });

  it('more flagged values than the GPU lists (8 constant images under contrast): the CPU path takes over, same result', async () => {
    const images = new Float32Array(8 * 3072).fill(200 / 255);
    const x = ps.tensor(images, [8, 3, 32, 32]);
    const before = ps.memory().tensors;
    const out = await ps.data.corrupt(ps.random.key(3), x, 'contrast', 2);
    expect(agreement(await out.data(), corruptCPU(ps.random.key(3), images, [8, 3, 32, 32], 'contrast', 2)).identical).toBe(1);
    out.dispose();
    expect(ps.memory().tensors).toBe(before);
    x.dispose();
  });

  it('an empty batch and no leaked tensors (also after an error)', async () => {
    const before = ps.memory().tensors;
    const empty = ps.zeros([0, 3, 32, 32]);
    const out = await ps.data.corrupt(ps.random.key(1), empty, 'defocus_blur', 1);
    expect(out.shape).toEqual([0, 3, 32, 32]);
    out.dispose();
    empty.dispose();
    const bad = ps.full([1, 3, 8, 8], 2);
    await expect(ps.data.corrupt(ps.random.key(1), bad, 'gaussian_noise', 1)).rejects.toThrow(/values must lie in \[0, 1\]/);
    bad.dispose();
    expect(ps.memory().tensors).toBe(before);
  });
});

describe('corruption pairs generated on the GPU', () => {
  it('pregenerate() fills the cache with the bytes the CPU would produce; batch() uploads [B, 3, H, W]', async () => {
    const data = ps.data.synthetic(ps.random.key(3), 3);
    const options = { key: ps.random.key(4), corruptions: ['gaussian_noise', 'contrast', 'jpeg_compression'] as CorruptionName[], severities: [5] as Severity[], jointCropFlip: false };
    const gpuPairs = ps.data.corruptionPairs(data, options);
    await gpuPairs.pregenerate({ backend: 'auto', batchSize: 2 });
    const cpuPairs = ps.data.corruptionPairs(data, options);
    for (let n = 0; n < 3; n++) {
      for (let j = 0; j < 3; j++) expect(Array.from(gpuPairs.paired.corruptedBytes(n, j))).toEqual(Array.from(cpuPairs.paired.corruptedBytes(n, j)));
    }
    const { x, xt } = gpuPairs.batch([2, 0], ps.random.key(5));
    expect(x.shape).toEqual([2, 3, 32, 32]);
    expect(xt.shape).toEqual([2, 3, 32, 32]);
    const host = gpuPairs.hostBatch([2, 0], ps.random.key(5));
    expect(Array.from(await x.data())).toEqual(Array.from(host.x));
    expect(Array.from(await xt.data())).toEqual(Array.from(host.xt));
    x.dispose();
    xt.dispose();
  });
});

describe('bad input', () => {
  const x = () => ps.zeros([2, 3, 8, 8]);

  it('names the culprit: corruption, severity, shape, dtype, backend', async () => {
    const t = x();
    const key = ps.random.key(1);
    const corrupt = ps.data.corrupt as (...args: unknown[]) => Promise<ps.Tensor>;
    const cases: [unknown[], RegExp][] = [
      [[key, t, 'fuzz', 1], /^corrupt: unknown corruption 'fuzz' \(known: defocus_blur, glass_blur/],
      [[key, t, 'zoom_blur', 0], /^corrupt: severity must be an integer 1\.\.5, got 0/],
      [[key, t, 'zoom_blur', 6], /^corrupt: severity must be an integer 1\.\.5, got 6/],
      [[key, t, 'zoom_blur', 2.5], /^corrupt: severity must be an integer 1\.\.5, got 2\.5/],
      [[key, ps.zeros([2, 1, 8, 8]), 'zoom_blur', 1], /^corrupt: expected images \[B, 3, H, W\], got \[2,1,8,8\]/],
      [[key, ps.zeros([3, 8, 8]), 'zoom_blur', 1], /^corrupt: expected images \[B, 3, H, W\], got \[3,8,8\]/],
      [[key, ps.tensor([0, 0, 0], [1, 3, 1, 1], 'int32'), 'zoom_blur', 1], /^corrupt: x must be float32 images, got int32/],
      [[key, t, 'jpeg_compression', 1, { backend: 'gpu' }], /^corrupt: backend 'gpu': 'jpeg_compression' has no GPU implementation/],
      [[key, t, 'zoom_blur', 1, { backend: 'tpu' }], /^corrupt: backend must be 'auto', 'gpu' or 'cpu', got tpu/],
      [[key, ps.zeros([1, 3, 70, 8]), 'frost', 1], /^corrupt: frost crops from texture sheets and supports images up to 62×104, got 70×8/],
      [['key', t, 'zoom_blur', 1], /^corrupt: expected a random key/],
    ];
    for (const [args, message] of cases) {
      const err = await corrupt(...args).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message ?? 'no error').toMatch(message);
    }
    t.dispose();
  });

  it('values outside [0, 1] or NaN: the first one and its index, on both paths', async () => {
    const key = ps.random.key(1);
    const values = new Float32Array(2 * 3 * 64).fill(0.5);
    values[70] = 1.5;
    values[100] = -0.25;
    for (const backend of ['gpu', 'cpu'] as const) {
      const t = ps.tensor(values, [2, 3, 8, 8]);
      await expect(ps.data.corrupt(key, t, 'gaussian_blur', 1, { backend })).rejects.toThrow(/^corrupt: values must lie in \[0, 1\]; found 1\.5 at index 70$/);
      t.dispose();
    }
    const nan = new Float32Array(3 * 64).fill(0.5);
    nan[5] = NaN;
    const t = ps.tensor(nan, [1, 3, 8, 8]);
    await expect(ps.data.corrupt(key, t, 'brightness', 1)).rejects.toThrow(/^corrupt: values must lie in \[0, 1\]; found NaN at index 5$/);
    t.dispose();
    expect(thrown(() => ps.data.corruptionPairs(ps.data.synthetic(ps.random.key(1), 2), { key: ps.random.key(1), variant: 'both' as never })).message).toMatch(
      /^corruptionPairs: variant must be 'original', 'withOriginal' or 'noOriginal', got both/,
    );
  });
});
