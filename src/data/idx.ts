/**
 * The IDX format of the MNIST files (http://yann.lecun.com/exdb/mnist/):
 * a 4-byte magic `00 00 <type> <rank>`, then `rank` big-endian uint32 dimensions, then the data,
 * big-endian, row-major. Types: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 * 0x0E float64. MNIST uses 0x00000803 (uint8 images N×rows×cols) and 0x00000801 (uint8 labels N).
 */
import { gunzip, isGzip } from '../io/gzip.js';

export type IDXData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export type IDX = {
  /** The type byte: 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E. */
  typeCode: number;
  dims: number[];
  data: IDXData;
};

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: 'uint8', size: 1 },
  0x09: { name: 'int8', size: 1 },
  0x0b: { name: 'int16', size: 2 },
  0x0c: { name: 'int32', size: 4 },
  0x0d: { name: 'float32', size: 4 },
  0x0e: { name: 'float64', size: 8 },
};

const hex = (v: number, w = 8) => '0x' + v.toString(16).padStart(w, '0');

/** Parse an uncompressed IDX file, with full validation of magic, rank and size. */
export function parseIDX(bytes: Uint8Array): IDX {
  if (!(bytes instanceof Uint8Array)) throw new Error('parseIDX: input must be a Uint8Array');
  if (isGzip(bytes)) throw new Error('parseIDX: input is gzip-compressed; gunzip it first (or use decodeMNISTImages / decodeMNISTLabels)');
  if (bytes.length < 4) throw new Error(`parseIDX: file is ${bytes.length} bytes, too short for the 4-byte magic number`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new Error(`parseIDX: bad magic number ${hex(magic)}: the first two bytes must be 0`);
  const typeCode = bytes[2]!;
  const type = TYPES[typeCode];
  if (type === undefined) {
    throw new Error(`parseIDX: magic ${hex(magic)} has unknown type byte ${hex(typeCode, 2)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  }
  const rank = bytes[3]!;
  if (rank === 0) throw new Error(`parseIDX: magic ${hex(magic)} declares rank 0`);
  const headerLen = 4 + 4 * rank;
  if (bytes.length < headerLen) {
    throw new Error(`parseIDX: truncated header: rank ${rank} needs ${headerLen} header bytes, file has ${bytes.length}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = dv.getUint32(4 + 4 * i);
    dims.push(d);
    count *= d;
  }
  const expected = headerLen + count * type.size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'has trailing bytes';
    throw new Error(
      `parseIDX: file ${what}: expected ${expected} bytes (${headerLen}-byte header + ${dims.join('×')} ${type.name} values), found ${bytes.length}`,
    );
  }
  const body = bytes.slice(headerLen); // fresh, aligned copy
  let data: IDXData;
  switch (typeCode) {
    case 0x08:
      data = body;
      break;
    case 0x09:
      data = new Int8Array(body.buffer);
      break;
    default: {
      // Multi-byte types are big-endian: read through a DataView.
      const v = new DataView(body.buffer);
      const n = count;
      if (typeCode === 0x0b) data = Int16Array.from({ length: n }, (_, i) => v.getInt16(2 * i));
      else if (typeCode === 0x0c) data = Int32Array.from({ length: n }, (_, i) => v.getInt32(4 * i));
      else if (typeCode === 0x0d) data = Float32Array.from({ length: n }, (_, i) => v.getFloat32(4 * i));
      else data = Float64Array.from({ length: n }, (_, i) => v.getFloat64(8 * i));
    }
  }
  return { typeCode, dims, data };
}

async function maybeGunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes) : bytes;
}

/** MNIST images (magic 0x00000803, uint8 N×rows×cols), raw or gzipped. */
export async function decodeMNISTImages(bytes: Uint8Array): Promise<{ count: number; rows: number; cols: number; pixels: Uint8Array }> {
  const raw = await maybeGunzip(bytes);
  checkMagic(raw, 0x00000803, 'decodeMNISTImages', 'an images file (idx3-ubyte)');
  const { dims, data } = parseIDX(raw);
  const [count, rows, cols] = dims as [number, number, number];
  if (rows === 0 || cols === 0) throw new Error(`decodeMNISTImages: image size is ${rows}×${cols}, expected positive`);
  return { count, rows, cols, pixels: data as Uint8Array };
}

/** MNIST labels (magic 0x00000801, uint8 N, each 0..9), raw or gzipped. */
export async function decodeMNISTLabels(bytes: Uint8Array): Promise<Uint8Array> {
  const raw = await maybeGunzip(bytes);
  checkMagic(raw, 0x00000801, 'decodeMNISTLabels', 'a labels file (idx1-ubyte)');
  const labels = parseIDX(raw).data as Uint8Array;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! > 9) throw new Error(`decodeMNISTLabels: label ${i} is ${labels[i]}, expected 0..9`);
  }
  return labels;
}

function checkMagic(raw: Uint8Array, want: number, fn: string, what: string): void {
  if (raw.length < 4) throw new Error(`${fn}: file is ${raw.length} bytes, too short for the 4-byte magic number`);
  const magic = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0);
  if (magic !== want) {
    const hint = magic === 0x00000801 ? ' (this is a labels file)' : magic === 0x00000803 ? ' (this is an images file)' : '';
    throw new Error(`${fn}: magic number ${hex(magic)}${hint}, expected ${hex(want)} for ${what}`);
  }
}
