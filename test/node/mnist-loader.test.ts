/// <reference types="node" />
// ps.data.loadMNIST on small IDX files the test writes into a temporary directory (the four
// original file names; gzipped or not, as the real downloads come either way) and from bytes:
// shapes, pixels, labels, [0, 1] scaling; count mismatches, truncated or swapped files and missing
// files are errors that name the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzip, idx } from '../cpu/idx-helpers.js';
import { loadMNIST } from '../../src/data/mnist.js';


const ROWS = 28;
const COLS = 28;
const pixelsFor = (n: number, seed: number) => Uint8Array.from({ length: n * ROWS * COLS }, (_, i) => (i * 31 + seed * 7) % 256);
const images = (n: number, seed: number) => idx(0x08, [n, ROWS, COLS], pixelsFor(n, seed));
const labels = (values: number[]) => idx(0x08, [values.length], Uint8Array.from(values));

const TRAIN_LABELS = [5, 0, 4];
const TEST_LABELS = [7, 2];

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'perturbset-mnist-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A directory with the four files; `gz` picks which are gzipped; `override` replaces contents. */
function writeDir(name: string, gz: Partial<Record<string, boolean>>, override: Record<string, Uint8Array> = {}): string {
  const dir = join(root, name);
  const files: Record<string, Uint8Array> = {
    'train-images-idx3-ubyte': images(3, 1),
    'train-labels-idx1-ubyte': labels(TRAIN_LABELS),
    't10k-images-idx3-ubyte': images(2, 2),
    't10k-labels-idx1-ubyte': labels(TEST_LABELS),
    ...override,
  };
  for (const [base, bytes] of Object.entries(files)) {
    writeFileSync(join(dir, gz[base] ? `${base}.gz` : base), gz[base] ? gzip(bytes) : bytes, { flag: 'w' });
  }
  return dir;
}

function mkdir(name: string): void {
  rmSync(join(root, name), { recursive: true, force: true });
  mkdirSync(join(root, name), { recursive: true });
}

describe('loadMNIST from a directory', () => {
  it('reads plain and gzipped IDX files (mixed), with shapes, labels and [0, 1] batches', async () => {
    mkdir('mixed');
    const dir = writeDir('mixed', { 'train-images-idx3-ubyte': true, 't10k-labels-idx1-ubyte': true });
    const { train, test } = await loadMNIST(dir);
    expect(train.length).toBe(3);
    expect(test.length).toBe(2);
    expect(train.imageShape).toEqual([1, ROWS, COLS]);
    expect(Array.from(train.labels)).toEqual(TRAIN_LABELS);
    expect(Array.from(test.labels)).toEqual(TEST_LABELS);
    expect(train.pixels).toEqual(pixelsFor(3, 1));
    expect(test.pixels).toEqual(pixelsFor(2, 2));
    const host = train.hostImages([2, 0]);
    expect(host.length).toBe(2 * ROWS * COLS);
    expect(host[0]).toBeCloseTo(pixelsFor(3, 1)[2 * ROWS * COLS]! / 255, 7);
    expect(Math.max(...host)).toBeLessThanOrEqual(1);
    // A trailing slash is fine; everything gzipped is fine.
    mkdir('gz');
    const all = writeDir('gz', { 'train-images-idx3-ubyte': true, 'train-labels-idx1-ubyte': true, 't10k-images-idx3-ubyte': true, 't10k-labels-idx1-ubyte': true });
    const again = await loadMNIST(`${all}/`);
    expect(again.train.pixels).toEqual(train.pixels);
  });

  it('count mismatches, truncated, swapped and missing files are errors naming the file', async () => {
    mkdir('count');
    const count = writeDir('count', {}, { 't10k-labels-idx1-ubyte': labels([1, 2, 3]) });
    await expect(loadMNIST(count)).rejects.toThrow(/loadMNIST: test has 2 images but 3 labels/);

    mkdir('truncated');
    const full = images(3, 1);
    const truncated = writeDir('truncated', { 'train-images-idx3-ubyte': true }, { 'train-images-idx3-ubyte': full.subarray(0, full.length - 100) });
    await expect(loadMNIST(truncated)).rejects.toThrow(/train-images-idx3-ubyte.*truncated: expected 2368 bytes/);

    mkdir('swapped');
    const swapped = writeDir('swapped', {}, { 't10k-images-idx3-ubyte': labels(TEST_LABELS) });
    await expect(loadMNIST(swapped)).rejects.toThrow(/t10k-images-idx3-ubyte.*magic number 0x00000801 \(this is a labels file\)/);

    mkdir('badlabel');
    const badLabel = writeDir('badlabel', {}, { 'train-labels-idx1-ubyte': labels([1, 12, 3]) });
    await expect(loadMNIST(badLabel)).rejects.toThrow(/train-labels-idx1-ubyte.*label 1 is 12, expected 0\.\.9/);

    await expect(loadMNIST(join(root, 'nowhere'))).rejects.toThrow(/loadMNIST: cannot read train-images-idx3-ubyte\(\.gz\) in .*nowhere/);
  });
});

describe('loadMNIST on the real files', () => {
  it('reads ../shared/data/mnist (60,000 + 10,000 gzipped images)', async () => {
    const { train, test } = await loadMNIST('/work/shared/data/mnist');
    expect([train.length, test.length]).toEqual([60000, 10000]);
    expect(train.imageShape).toEqual([1, 28, 28]);
    expect(Array.from(train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(Array.from(test.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
  });
});

describe('loadMNIST from bytes', () => {
  it('accepts the four buffers and rejects anything else', async () => {
    const { train, test } = await loadMNIST({ trainImages: gzip(images(3, 1)), trainLabels: labels(TRAIN_LABELS), testImages: images(2, 2), testLabels: labels(TEST_LABELS) });
    expect([train.length, test.length]).toEqual([3, 2]);
    await expect(loadMNIST({ trainImages: images(3, 1), trainLabels: labels(TRAIN_LABELS), testImages: images(2, 2) } as never)).rejects.toThrow(/buffers\.testLabels must be a Uint8Array/);
    await expect(loadMNIST(42 as never)).rejects.toThrow(/expected a directory path or/);
    await expect(
      loadMNIST({ trainImages: images(3, 1), trainLabels: labels([1, 2]), testImages: images(2, 2), testLabels: labels(TEST_LABELS) }),
    ).rejects.toThrow(/loadMNIST: train has 3 images but 2 labels/);
    const bad = images(2, 2);
    await expect(loadMNIST({ trainImages: images(3, 1), trainLabels: labels(TRAIN_LABELS), testImages: bad.subarray(0, 20), testLabels: labels(TEST_LABELS) })).rejects.toThrow(
      /testImages.*truncated/,
    );
  });
});
