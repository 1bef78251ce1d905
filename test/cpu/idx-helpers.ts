/// <reference types="node" />
// IDX files for loader tests (test/cpu/data-idx, test/node/mnist-loader).
import zlib from 'node:zlib';

/** An IDX file: magic 00 00 type rank, big-endian dims, then the body. */
export function idx(type: number, dims: number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const dv = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

export const gzip = (b: Uint8Array) => new Uint8Array(zlib.gzipSync(b));
