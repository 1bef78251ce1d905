/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import zlib from 'node:zlib';
import { gunzip, isGzip } from '../../src/io/gzip.js';

const payload = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) % 251);
const gz = new Uint8Array(zlib.gzipSync(payload));

describe('gunzip', () => {
  it('detects and decompresses gzip data', async () => {
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(payload)).toBe(false);
    expect(isGzip(new Uint8Array([0x1f]))).toBe(false);
    const out = await gunzip(gz);
    expect(Buffer.compare(out, payload)).toBe(0);
    expect(out.byteOffset).toBe(0);
    expect(out.byteLength).toBe(out.buffer.byteLength);
    expect(await gunzip(new Uint8Array(zlib.gzipSync(new Uint8Array(0))))).toEqual(new Uint8Array(0));
  });

  it('rejects truncated, corrupt and non-gzip input with clear errors', async () => {
    await expect(gunzip(gz.subarray(0, gz.length >> 1))).rejects.toThrow(/^gunzip: corrupt or truncated gzip data/);
    await expect(gunzip(gz.subarray(0, gz.length - 1))).rejects.toThrow(/^gunzip: corrupt or truncated/);
    const badCrc = gz.slice();
    badCrc[badCrc.length - 6]! ^= 0xff;
    await expect(gunzip(badCrc)).rejects.toThrow(/^gunzip: corrupt or truncated/);
    await expect(gunzip(gz.subarray(0, 10))).rejects.toThrow(/^gunzip: truncated gzip stream \(10 bytes/);
    await expect(gunzip(payload)).rejects.toThrow(/^gunzip: not gzip data \(first bytes 00 07, expected 1f 8b\)/);
    await expect(gunzip(new Uint8Array(0))).rejects.toThrow(/^gunzip: not gzip data \(first bytes \(none\)/);
    const method = gz.slice();
    method[2] = 7;
    await expect(gunzip(method)).rejects.toThrow(/unsupported compression method 7/);
  });
});
