/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzip, idx } from './idx-helpers.js';
import { decodeMNISTImages, decodeMNISTLabels, parseIDX } from '../../src/data/idx.js';


describe('parseIDX', () => {
  it('parses uint8 files and multi-byte big-endian types', () => {
    const u8 = parseIDX(idx(0x08, [2, 3], Uint8Array.from([1, 2, 3, 4, 5, 255])));
    expect(u8).toEqual({ typeCode: 0x08, dims: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 255]) });

    const body = new Uint8Array(12);
    const dv = new DataView(body.buffer);
    [-2, 300, 1.5].forEach((v, i) => (i < 2 ? dv.setInt32(4 * i, v) : dv.setFloat32(4 * i, v)));
    const i32 = parseIDX(idx(0x0c, [2], body.subarray(0, 8)));
    expect(Array.from(i32.data)).toEqual([-2, 300]);
    expect(i32.data).toBeInstanceOf(Int32Array);
    expect(Array.from(parseIDX(idx(0x0d, [1], body.subarray(8))).data)).toEqual([1.5]);
    expect(Array.from(parseIDX(idx(0x0b, [2], Uint8Array.from([0xff, 0xfe, 0x01, 0x00]))).data)).toEqual([-2, 256]);
    expect(Array.from(parseIDX(idx(0x09, [2], Uint8Array.from([0xff, 0x7f]))).data)).toEqual([-1, 127]);
    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, Math.PI);
    expect(Array.from(parseIDX(idx(0x0e, [1], f64)).data)).toEqual([Math.PI]);
  });

  it('rejects bad magic, unknown types, truncation and trailing bytes, saying what was expected and found', () => {
    expect(() => parseIDX(new Uint8Array([0, 0, 8]))).toThrow(/^parseIDX: file is 3 bytes, too short/);
    expect(() => parseIDX(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]))).toThrow(/^parseIDX: bad magic number 0x01000801/);
    expect(() => parseIDX(idx(0x07, [1], new Uint8Array(1)))).toThrow(/unknown type byte 0x07/);
    expect(() => parseIDX(idx(0x08, [], new Uint8Array(0)))).toThrow(/declares rank 0/);
    expect(() => parseIDX(idx(0x08, [10, 28, 28], new Uint8Array(0)).subarray(0, 10))).toThrow(
      /truncated header: rank 3 needs 16 header bytes, file has 10/,
    );
    expect(() => parseIDX(idx(0x08, [10, 28, 28], new Uint8Array(7839)))).toThrow(
      /^parseIDX: file truncated: expected 7856 bytes \(16-byte header \+ 10×28×28 uint8 values\), found 7855/,
    );
    expect(() => parseIDX(idx(0x08, [3], new Uint8Array(4)))).toThrow(/has trailing bytes: expected 11 bytes .* found 12/);
    expect(() => parseIDX(idx(0x08, [4294967295, 4294967295], new Uint8Array(0)))).toThrow(/file truncated/);
    expect(() => parseIDX(gzip(idx(0x08, [1], new Uint8Array(1))))).toThrow(/gzip-compressed/);
  });
});

describe('decodeMNISTImages / decodeMNISTLabels', () => {
  const pixels = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => i * 4);
  const images = idx(0x08, [3, 4, 5], pixels);
  const labels = idx(0x08, [4], Uint8Array.from([7, 2, 1, 0]));

  it('decode raw and gzipped files', async () => {
    for (const bytes of [images, gzip(images)]) {
      expect(await decodeMNISTImages(bytes)).toEqual({ count: 3, rows: 4, cols: 5, pixels });
    }
    for (const bytes of [labels, gzip(labels)]) expect(Array.from(await decodeMNISTLabels(bytes))).toEqual([7, 2, 1, 0]);
  });

  it('reject the wrong kind of file, bad labels and corrupt gzip', async () => {
    await expect(decodeMNISTImages(labels)).rejects.toThrow(/^decodeMNISTImages: magic number 0x00000801 \(this is a labels file\), expected 0x00000803/);
    await expect(decodeMNISTLabels(gzip(images))).rejects.toThrow(/^decodeMNISTLabels: magic number 0x00000803 \(this is an images file\)/);
    await expect(decodeMNISTLabels(idx(0x08, [3], Uint8Array.from([1, 10, 2])))).rejects.toThrow(/label 1 is 10, expected 0..9/);
    await expect(decodeMNISTImages(idx(0x08, [2, 0, 28], new Uint8Array(0)))).rejects.toThrow(/image size is 0×28/);
    await expect(decodeMNISTImages(images.subarray(0, 30))).rejects.toThrow(/file truncated: expected 76 bytes .* found 30/);
    const gz = gzip(images);
    await expect(decodeMNISTImages(gz.subarray(0, gz.length - 3))).rejects.toThrow(/^gunzip: /);
    await expect(decodeMNISTLabels(new Uint8Array(2))).rejects.toThrow(/too short/);
  });

  it('read the real MNIST t10k files', async () => {
    const dir = '/work/shared/data/mnist/';
    const lab = await decodeMNISTLabels(new Uint8Array(readFileSync(dir + 't10k-labels-idx1-ubyte.gz')));
    expect(lab.length).toBe(10000);
    expect(Array.from(lab.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const counts = new Array(10).fill(0);
    for (const l of lab) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);

    const img = await decodeMNISTImages(new Uint8Array(readFileSync(dir + 't10k-images-idx3-ubyte.gz')));
    expect([img.count, img.rows, img.cols, img.pixels.length]).toEqual([10000, 28, 28, 7840000]);
    let sum = 0;
    for (const p of img.pixels) sum += p;
    expect(sum / img.pixels.length).toBeCloseTo(33.79, 2);
  });
});
