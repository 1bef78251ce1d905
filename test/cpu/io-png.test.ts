/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import zlib from 'node:zlib';
import { adler32, crc32, encodePNG, zlibStored } from '../../src/io/png.js';

type Chunk = { type: string; data: Uint8Array };

/** Split a PNG into chunks, checking the signature and every CRC with node:zlib's crc32. */
function readChunks(png: Uint8Array): Chunk[] {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let pos = 8;
  while (pos < png.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
    const data = png.subarray(pos + 8, pos + 8 + len);
    expect(dv.getUint32(pos + 8 + len)).toBe(zlib.crc32(png.subarray(pos + 4, pos + 8 + len)));
    chunks.push({ type, data });
    pos += 12 + len;
  }
  expect(pos).toBe(png.length);
  return chunks;
}

/** Decode our PNG (filter 0 only) back to interleaved pixels with node:zlib. */
function decode(png: Uint8Array) {
  const chunks = readChunks(png);
  expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
  const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
  const width = ihdr.getUint32(0);
  const height = ihdr.getUint32(4);
  const [depth, colorType, comp, filter, interlace] = chunks[0]!.data.subarray(8);
  expect([depth, comp, filter, interlace]).toEqual([8, 0, 0, 0]);
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colorType!]!;
  const raw = new Uint8Array(zlib.inflateSync(chunks[1]!.data)); // also checks the zlib header and Adler-32
  const stride = width * channels;
  expect(raw.length).toBe((stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, pixels };
}

const pattern = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 11 + ((i * i) >> 3)) & 0xff);

describe('encodePNG', () => {
  it('writes RGBA that decodes to the same pixels (CompressionStream path)', async () => {
    const rgba = pattern(5 * 3 * 4);
    const png = await encodePNG(rgba, 5, 3);
    expect(decode(png)).toEqual({ width: 5, height: 3, channels: 4, pixels: rgba });
  });

  it('writes stored deflate blocks when asked (fallback path), across several 64 KiB blocks', async () => {
    const rgb = pattern(200 * 120 * 3, 2);
    const png = await encodePNG(rgb, 200, 120, { compress: false });
    const idat = readChunks(png)[1]!.data;
    expect(idat.length).toBe(2 + 2 * 5 + (200 * 3 + 1) * 120 + 4); // two stored blocks, no compression
    expect(decode(png)).toEqual({ width: 200, height: 120, channels: 3, pixels: rgb });
  });

  it('converts channels: RGBA -> RGB drops alpha, gray -> RGBA replicates with alpha 255, equal RGB -> gray', async () => {
    const rgba = pattern(4 * 2 * 4, 3);
    const rgb = (await encodePNG(rgba, 4, 2, { channels: 3 })).slice();
    expect(decode(rgb).pixels).toEqual(Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => rgba[Math.floor(i / 3) * 4 + (i % 3)]!));

    const gray = pattern(6, 4);
    const out = decode(await encodePNG(gray, 3, 2, { channels: 4 }));
    expect(out.channels).toBe(4);
    expect(Array.from(out.pixels)).toEqual(Array.from(gray).flatMap((g) => [g, g, g, 255]));

    const grayRgba = Uint8Array.from(Array.from(gray).flatMap((g) => [g, g, g, 255]));
    expect(decode(await encodePNG(grayRgba, 3, 2, { channels: 1 })).pixels).toEqual(gray);
    await expect(encodePNG(rgba, 4, 2, { channels: 1 })).rejects.toThrow(/^encodePNG: pixel \(0, 0\) is .*grayscale output needs R = G = B/);
  });

  it('validates its arguments', async () => {
    await expect(encodePNG(new Uint8Array(10), 2, 2)).rejects.toThrow(/^encodePNG: 10 bytes is not 2×2 pixels of 1, 3 or 4 channels/);
    await expect(encodePNG(new Uint8Array(0), 0, 2)).rejects.toThrow(/width is 0/);
    await expect(encodePNG(new Uint8Array(4), 1, 1.5)).rejects.toThrow(/height is 1.5/);
    await expect(encodePNG(new Uint8Array(4), 1, 1, { channels: 2 as 1 })).rejects.toThrow(/channels is 2/);
  });

  it('checksums and stored zlib streams agree with node:zlib', () => {
    const data = pattern(70000, 5);
    expect(crc32(data)).toBe(zlib.crc32(data));
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    expect(Buffer.compare(zlib.inflateSync(zlibStored(data)), data)).toBe(0);
    expect(new Uint8Array(zlib.inflateSync(zlibStored(new Uint8Array(0))))).toEqual(new Uint8Array(0));
    const ones = new Uint8Array(65535).fill(9);
    expect(Buffer.compare(zlib.inflateSync(zlibStored(ones)), ones)).toBe(0);
  });
});
