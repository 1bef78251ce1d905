// ps.data.loadCIFAR10 on batch files this test writes (directory and bytes), and ps.data.npyImages
// on CIFAR-10-C style .npy bytes (N×H×W×3, HWC → CHW), with the errors for bad input.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';

const RECORD = 3073;

/** A CIFAR-10 binary batch of n records: label (i + seed) mod 10, pixel p of plane c = (i·7 + c·50 + p + seed) mod 256. */
function batchBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n * RECORD);
  for (let i = 0; i < n; i++) {
    out[i * RECORD] = (i + seed) % 10;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) out[i * RECORD + 1 + c * 1024 + p] = (i * 7 + c * 50 + p + seed) % 256;
    }
  }
  return out;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'perturbset-cifar-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function writeCifar(dir: string, counts = [3, 2, 1, 2, 4], testCount = 5): void {
  counts.forEach((n, i) => writeFileSync(join(dir, `data_batch_${i + 1}.bin`), batchBytes(n, i)));
  writeFileSync(join(dir, 'test_batch.bin'), batchBytes(testCount, 9));
}

describe('loadCIFAR10', () => {
  it('reads data_batch_1..5.bin and test_batch.bin from a directory: uint8 CHW [3, 32, 32] as stored, labels in order', async () => {
    const dir = tempDir();
    writeCifar(dir);
    const { train, test } = await ps.data.loadCIFAR10(dir);
    expect(train.length).toBe(12);
    expect(test.length).toBe(5);
    expect(train.imageShape).toEqual([3, 32, 32]);
    expect(train.pixels).toBeInstanceOf(Uint8Array);
    // train image 4 = record 1 of data_batch_2 (seed 1)
    expect(train.labels[4]).toBe(2);
    expect(train.pixels[4 * 3072 + 1024 + 5]).toBe((1 * 7 + 50 + 5 + 1) % 256);
    expect(Array.from(test.labels)).toEqual([9, 0, 1, 2, 3]);
    // batches come out as k/255
    expect(train.hostImages([4])[1024 + 5]).toBeCloseTo(((1 * 7 + 50 + 5 + 1) % 256) / 255, 7);
  });

  it('also finds the files in <dir>/cifar-10-batches-bin, and takes the bytes directly', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'cifar-10-batches-bin'));
    writeCifar(join(dir, 'cifar-10-batches-bin'));
    expect((await ps.data.loadCIFAR10(dir)).train.length).toBe(12);
    const fromBytes = await ps.data.loadCIFAR10({ train: [batchBytes(2, 0), batchBytes(1, 1)], test: batchBytes(1, 9) });
    expect(fromBytes.train.length).toBe(3);
    expect(Array.from(fromBytes.train.labels)).toEqual([0, 1, 1]);
    expect(fromBytes.test.labels[0]).toBe(9);
  });

  it('missing, truncated and malformed files: errors that name the file', async () => {
    const missing = tempDir();
    writeCifar(missing);
    rmSync(join(missing, 'data_batch_3.bin'));
    await expect(ps.data.loadCIFAR10(missing)).rejects.toThrow(/^loadCIFAR10: cannot read data_batch_3\.bin in /);

    const truncated = tempDir();
    writeCifar(truncated);
    writeFileSync(join(truncated, 'data_batch_2.bin'), batchBytes(2, 1).subarray(0, RECORD + 100));
    await expect(ps.data.loadCIFAR10(truncated)).rejects.toThrow(
      /^loadCIFAR10: data_batch_2\.bin: parseCifar10Batch: 3173 bytes is not a positive multiple of the 3073-byte record \(1 whole records and 100 bytes over\)/,
    );

    const badLabel = batchBytes(2, 0);
    badLabel[RECORD] = 10;
    await expect(ps.data.loadCIFAR10({ train: [badLabel], test: batchBytes(1, 0) })).rejects.toThrow(
      /^loadCIFAR10: train\[0\] \(data_batch_1\.bin\): parseCifar10Batch: record 1 \(byte offset 3073\) has label 10, expected 0\.\.9/,
    );
    await expect(ps.data.loadCIFAR10({ train: [], test: batchBytes(1, 0) })).rejects.toThrow(/^loadCIFAR10: buffers\.train must be a non-empty array/);
    await expect(ps.data.loadCIFAR10({ train: [batchBytes(1, 0)], test: new Uint8Array(0) })).rejects.toThrow(/^loadCIFAR10: test \(test_batch\.bin\): parseCifar10Batch: 0 bytes/);
    await expect(ps.data.loadCIFAR10(42 as never)).rejects.toThrow(/^loadCIFAR10: expected a directory path or \{train/);
  });
});

describe('npyImages (CIFAR-10-C .npy files)', () => {
  /** N×H×W×3 uint8 in HWC order: value (n·31 + y·5 + x·3 + c·60) mod 256. */
  function hwc(n: number, h: number, w: number): Uint8Array {
    const out = new Uint8Array(n * h * w * 3);
    for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[((i * h + y) * w + x) * 3 + c] = (i * 31 + y * 5 + x * 3 + c * 60) % 256;
    return out;
  }

  it('uint8 N×H×W×3 → ImageDataset [3, H, W] (CHW), labels from labels.npy', () => {
    const bytes = ps.data.encodeNpy({ dtype: 'uint8', shape: [2, 4, 5, 3], data: hwc(2, 4, 5) });
    const labelBytes = ps.data.encodeNpy({ dtype: 'uint8', shape: [2], data: Uint8Array.of(7, 3) });
    const data = ps.data.npyImages(ps.data.loadNpy(bytes), ps.data.loadNpy(labelBytes));
    expect(data.imageShape).toEqual([3, 4, 5]);
    expect(data.length).toBe(2);
    expect(Array.from(data.labels)).toEqual([7, 3]);
    expect(data.pixels).toBeInstanceOf(Uint8Array);
    for (const [i, c, y, x] of [
      [0, 0, 0, 0],
      [1, 2, 3, 4],
      [1, 1, 2, 0],
    ] as const) {
      expect(data.pixels[i * 60 + c * 20 + y * 5 + x]).toBe((i * 31 + y * 5 + x * 3 + c * 60) % 256);
    }
    expect(Array.from(ps.data.npyImages(ps.data.loadNpy(bytes)).labels)).toEqual([-1, -1]);
    expect(Array.from(ps.data.npyImages(ps.data.loadNpy(bytes), [4, 1]).labels)).toEqual([4, 1]);
  });

  it('float32 images in [0, 1] stay float32', () => {
    const values = Float32Array.from(hwc(1, 2, 2), (v) => v / 255);
    const data = ps.data.npyImages(ps.data.loadNpy(ps.data.encodeNpy({ dtype: 'float32', shape: [1, 2, 2, 3], data: values })));
    expect(data.pixels).toBeInstanceOf(Float32Array);
    expect(data.pixels[1 * 4 + 1]).toBe(values[1 * 3 + 1]);
  });

  it('wrong layout, dtype, order, values or labels: errors that say what was expected', () => {
    const npy = (shape: number[]) => ps.data.loadNpy(ps.data.encodeNpy({ dtype: 'uint8', shape, data: new Uint8Array(shape.reduce((a, b) => a * b, 1)) }));
    expect(() => ps.data.npyImages(npy([2, 3, 4, 4]))).toThrow(/^npyImages: expected images N×H×W×3 \(HWC, as CIFAR-10-C stores them\), got shape \(2, 3, 4, 4\)/);
    expect(() => ps.data.npyImages(npy([4, 4, 3]))).toThrow(/got shape \(4, 4, 3\)/);
    expect(() => ps.data.npyImages(npy([2, 4, 4, 3]), [1])).toThrow(/^npyImages: 1 labels for 2 images/);
    expect(() => ps.data.npyImages(npy([1, 4, 4, 3]), [1.5])).toThrow(/^npyImages: label 0 is 1\.5, expected a non-negative integer/);
    const bad = ps.data.loadNpy(ps.data.encodeNpy({ dtype: 'float32', shape: [1, 1, 1, 3], data: Float32Array.of(0, 1.5, 0) }));
    expect(() => ps.data.npyImages(bad)).toThrow(/^npyImages: float32 images must lie in \[0, 1\]; found 1\.5 at image 0, pixel 0, channel 1/);
    expect(() => ps.data.npyImages({} as never)).toThrow(/^npyImages: expected a parsed \.npy/);
    // the parser's own errors (other dtypes, Fortran order, truncation) name the problem
    const header = (descr: string, fortran: string) => {
      const text = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (1, 1, 1, 3), }`.padEnd(117, ' ') + '\n';
      const out = new Uint8Array(10 + text.length + 12);
      out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, text.length & 255, text.length >> 8]);
      for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
      return out;
    };
    expect(() => ps.data.loadNpy(header('<i4', 'False'))).toThrow(/^parseNpy: dtype '<i4' is not supported/);
    expect(() => ps.data.loadNpy(header('|u1', 'True'))).toThrow(/^parseNpy: fortran_order: True is not supported/);
    const truncated = ps.data.encodeNpy({ dtype: 'uint8', shape: [2, 2, 2, 3], data: new Uint8Array(24) }).subarray(0, 140);
    expect(() => ps.data.loadNpy(truncated)).toThrow(/^parseNpy: data truncated: shape \(2, 2, 2, 3\) of '\|u1' needs 24 bytes, found 12/);
  });
});
