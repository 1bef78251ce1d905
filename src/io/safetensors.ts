/**
 * The safetensors format (https://github.com/huggingface/safetensors), as bytes <-> host tensors.
 *
 * Layout: `u64 LE N` | `N bytes of UTF-8 JSON header` | `byte buffer`. The header maps each tensor
 * name to `{"dtype","shape","data_offsets":[begin,end]}` (offsets relative to the byte buffer) and
 * may hold `"__metadata__": {string: string}`. Data is little-endian, C order.
 *
 * Writing follows the reference Rust writer (`safetensors::tensor::serialize`, which
 * `safetensors.torch.save_file` calls) byte for byte:
 * - tensors sorted by dtype rank descending (the declaration order of the reference `Dtype` enum:
 *   ... I16 < U16 < F16 < BF16 < I32 < U32 < F32 < C64 < F64 < I64 < U64), then by name (byte order);
 * - data laid out back to back in that order, offsets starting at 0;
 * - compact JSON (serde_json), `__metadata__` first when present, field order dtype/shape/data_offsets;
 * - header padded with spaces to a multiple of 8 bytes.
 * One difference: the reference keeps `__metadata__` in a hash map, so its key order is arbitrary;
 * we sort metadata keys, which keeps our output deterministic. An empty metadata object is omitted.
 *
 * Reading validates like the reference `SafeTensors::read_metadata` (header at most 100 MB and
 * inside the file, valid UTF-8 and JSON, every tensor's byte span equal to shape × dtype size, the
 * spans tiling the byte buffer exactly: no overlap, no gap, nothing after the last tensor), with
 * errors that name the tensor and the values at fault.
 */
import type { HostTensor } from './host-tensor.js';
import { shapeSize } from './host-tensor.js';
import { decodeBf16, decodeF16, encodeBf16, encodeF16 } from './half.js';

/** All dtypes of the reference enum, in its declaration order (= the writer's sort rank). */
const DTYPE_ORDER = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
] as const;
export type SafetensorsDtype = (typeof DTYPE_ORDER)[number];

/** Bytes per element of the dtypes we can read. Sub-byte and 8-bit float types are not readable. */
const DTYPE_SIZE: Partial<Record<SafetensorsDtype, number>> = {
  BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** Storage dtypes `encodeSafetensors` can write, per host dtype. */
const WRITABLE: Record<HostTensor['dtype'], readonly SafetensorsDtype[]> = {
  float32: ['F32', 'F16', 'BF16'],
  int32: ['I32', 'I64'],
};

/** The reference refuses headers larger than this (`MAX_HEADER_SIZE`). */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export type SafetensorsEncodeOptions = {
  /** Storage dtype per tensor name (default F32 for float32, I32 for int32). F16/BF16 round to nearest even. */
  dtypes?: Record<string, SafetensorsDtype>;
};

export type DecodedSafetensors = {
  /** Tensors in file (offset) order. F16/BF16/F64 -> float32; integer and BOOL types -> int32. */
  tensors: Record<string, HostTensor>;
  /** The `__metadata__` map ({} when absent). */
  metadata: Record<string, string>;
  /** The stored dtype of each tensor, so a caller can write it back the same way. */
  dtypes: Record<string, SafetensorsDtype>;
};

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Serialise named host tensors (and optional string metadata) to safetensors bytes, byte-identical
 * to the reference writer for the same tensors (see the module comment for the metadata caveat).
 */
export function encodeSafetensors(
  entries: Record<string, HostTensor> | readonly (readonly [string, HostTensor])[],
  metadata?: Record<string, string>,
  options: SafetensorsEncodeOptions = {},
): Uint8Array {
  const list: (readonly [string, HostTensor])[] = Array.isArray(entries)
    ? [...(entries as readonly (readonly [string, HostTensor])[])]
    : Object.entries(entries as Record<string, HostTensor>);
  const enc = new TextEncoder();
  const seen = new Set<string>();
  type Item = { name: string; nameBytes: Uint8Array; t: HostTensor; dtype: SafetensorsDtype; nbytes: number };
  const items: Item[] = [];
  for (const entry of list) {
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new Error('safetensors: each entry must be a [name, tensor] pair');
    }
    const [name, t] = entry;
    if (typeof name !== 'string') throw new Error(`safetensors: tensor name ${String(name)} is not a string`);
    if (name === METADATA_KEY) throw new Error(`safetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    checkWellFormed(name, 'tensor name');
    if (seen.has(name)) throw new Error(`safetensors: duplicate tensor name '${name}'`);
    seen.add(name);
    checkHostTensor(name, t);
    const dtype = options.dtypes?.[name] ?? (t.dtype === 'float32' ? 'F32' : 'I32');
    if (!WRITABLE[t.dtype].includes(dtype)) {
      throw new Error(
        `safetensors: tensor '${name}' is ${t.dtype} and cannot be stored as ${dtype} (allowed: ${WRITABLE[t.dtype].join(', ')})`,
      );
    }
    items.push({ name, nameBytes: enc.encode(name), t, dtype, nbytes: t.data.length * DTYPE_SIZE[dtype]! });
  }
  if (options.dtypes !== undefined) {
    for (const k of Object.keys(options.dtypes)) {
      if (!seen.has(k)) throw new Error(`safetensors: options.dtypes names '${k}', which is not among the tensors`);
    }
  }
  // Reference order: dtype rank descending, then name ascending (Rust String order = UTF-8 bytes).
  items.sort((a, b) => rank(b.dtype) - rank(a.dtype) || compareBytes(a.nameBytes, b.nameBytes));

  const parts: string[] = [];
  const meta = metadata === undefined ? [] : Object.keys(metadata);
  if (meta.length > 0) {
    const keys = meta.map((k) => ({ k, b: enc.encode(k) })).sort((x, y) => compareBytes(x.b, y.b));
    const fields = keys.map(({ k }) => {
      const v = metadata![k];
      if (typeof v !== 'string') throw new Error(`safetensors: metadata value for '${k}' is ${typeof v}, expected a string`);
      checkWellFormed(k, 'metadata key');
      checkWellFormed(v, `metadata value for '${k}'`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`"${METADATA_KEY}":{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const it of items) {
    // JSON.stringify escapes strings exactly as serde_json does (\" \\ \b \f \n \r \t, \u00xx).
    parts.push(
      `${JSON.stringify(it.name)}:{"dtype":"${it.dtype}","shape":[${it.t.shape.join(',')}],` +
        `"data_offsets":[${offset},${offset + it.nbytes}]}`,
    );
    offset += it.nbytes;
  }
  const json = enc.encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLen, true); // headers are < 2^32 here; the high word stays 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const it of items) {
    writeData(out, pos, it.t, it.dtype);
    pos += it.nbytes;
  }
  return out;
}

function checkHostTensor(name: string, t: HostTensor): void {
  if (t === null || typeof t !== 'object') throw new Error(`safetensors: tensor '${name}' is not a {dtype, shape, data} object`);
  if (t.dtype === 'float32') {
    if (!(t.data instanceof Float32Array)) throw new Error(`safetensors: tensor '${name}' has dtype float32 but its data is not a Float32Array`);
  } else if (t.dtype === 'int32') {
    if (!(t.data instanceof Int32Array)) throw new Error(`safetensors: tensor '${name}' has dtype int32 but its data is not an Int32Array`);
  } else {
    throw new Error(`safetensors: tensor '${name}' has dtype '${String((t as { dtype: unknown }).dtype)}', expected 'float32' or 'int32'`);
  }
  if (!Array.isArray(t.shape)) throw new Error(`safetensors: tensor '${name}' has no shape array`);
  const n = shapeSize(t.shape, `safetensors: tensor '${name}'`);
  if (n !== t.data.length) {
    throw new Error(`safetensors: tensor '${name}' has shape [${t.shape.join(', ')}] (${n} elements) but ${t.data.length} data elements`);
  }
}

function writeData(out: Uint8Array, pos: number, t: HostTensor, dtype: SafetensorsDtype): void {
  let src: Uint8Array;
  let size: number;
  if (dtype === 'F32' || dtype === 'I32') {
    src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    size = 4;
  } else if (dtype === 'F16' || dtype === 'BF16') {
    const h = dtype === 'F16' ? encodeF16(t.data as Float32Array) : encodeBf16(t.data as Float32Array);
    src = new Uint8Array(h.buffer);
    size = 2;
  } else {
    // I64: sign-extend each int32.
    const d = t.data as Int32Array;
    const w = new Int32Array(d.length * 2);
    for (let i = 0; i < d.length; i++) {
      w[2 * i] = d[i]!;
      w[2 * i + 1] = d[i]! < 0 ? -1 : 0;
    }
    if (!LITTLE_ENDIAN) for (let i = 0; i < w.length; i += 2) [w[i], w[i + 1]] = [w[i + 1]!, w[i]!];
    src = new Uint8Array(w.buffer);
    size = 8;
  }
  out.set(src, pos);
  if (!LITTLE_ENDIAN) swapBytes(out.subarray(pos, pos + src.length), size);
}

// ---------------------------------------------------------------------------------------------
// Decoding

type Info = { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number };

/** Parse safetensors bytes into host tensors (see `DecodedSafetensors` for the dtype mapping). */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new Error('safetensors: input must be a Uint8Array');
  if (bytes.length < 8) {
    throw new Error(`safetensors: file is ${bytes.length} bytes, shorter than the 8-byte header length prefix`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = dv.getUint32(0, true);
  const hi = dv.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) {
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    throw new Error(`safetensors: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt or not a safetensors file)`);
  }
  const n = lo;
  if (8 + n > bytes.length) {
    throw new Error(`safetensors: header length ${n} runs past the end of the file (${bytes.length} bytes: at most ${bytes.length - 8} available)`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new Error(`safetensors: header (${n} bytes) is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`safetensors: header is not valid JSON (${(e as Error).message}); it starts with ${JSON.stringify(text.slice(0, 40))}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new Error(`safetensors: header must be a JSON object, got ${Array.isArray(header) ? 'an array' : String(header)}`);
  }

  const metadata: Record<string, string> = {};
  const infos: Info[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(`safetensors: '${METADATA_KEY}' must be an object of strings, got ${JSON.stringify(value)}`);
      }
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new Error(`safetensors: metadata '${k}' must be a string, got ${JSON.stringify(v)}`);
        setOwn(metadata, k, v);
      }
      continue;
    }
    infos.push(parseInfo(name, value));
  }

  // Per-tensor checks, then the tiling check on the spans sorted by offsets (as the reference does).
  const dataLen = bytes.length - 8 - n;
  for (const t of infos) {
    if (t.end < t.begin) throw new Error(`safetensors: tensor '${t.name}' has data_offsets [${t.begin}, ${t.end}] with end < begin`);
    if (t.end > dataLen) {
      throw new Error(`safetensors: tensor '${t.name}' has data_offsets [${t.begin}, ${t.end}] beyond the ${dataLen}-byte data buffer`);
    }
    const size = DTYPE_SIZE[t.dtype];
    if (size === undefined) throw new Error(`safetensors: tensor '${t.name}' has dtype ${t.dtype}, which perturbset cannot read`);
    const count = shapeSize(t.shape, `safetensors: tensor '${t.name}'`);
    if (count * size !== t.end - t.begin) {
      throw new Error(
        `safetensors: tensor '${t.name}' has shape [${t.shape.join(', ')}] × ${t.dtype} = ${count * size} bytes ` +
          `but data_offsets [${t.begin}, ${t.end}] span ${t.end - t.begin} bytes`,
      );
    }
  }
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let prev: Info | undefined;
  for (const t of sorted) {
    const prevEnd = prev === undefined ? 0 : prev.end;
    if (t.begin < prevEnd) {
      throw new Error(
        `safetensors: tensors '${prev!.name}' [${prev!.begin}, ${prev!.end}] and '${t.name}' [${t.begin}, ${t.end}] overlap`,
      );
    }
    if (t.begin > prevEnd) {
      throw new Error(
        `safetensors: ${t.begin - prevEnd} bytes before tensor '${t.name}' (data_offsets [${t.begin}, ${t.end}]) ` +
          `belong to no tensor; the byte buffer must be fully covered`,
      );
    }
    prev = t;
  }
  const covered = prev === undefined ? 0 : prev.end;
  if (covered !== dataLen) {
    throw new Error(
      `safetensors: the tensors cover ${covered} bytes but the data buffer has ${dataLen}; ` +
        `${dataLen - covered} trailing bytes belong to no tensor`,
    );
  }

  const tensors: Record<string, HostTensor> = {};
  const dtypes: Record<string, SafetensorsDtype> = {};
  const base = 8 + n;
  for (const t of sorted) {
    setOwn(tensors, t.name, convert(t, bytes.subarray(base + t.begin, base + t.end)));
    setOwn(dtypes, t.name, t.dtype);
  }
  return { tensors, metadata, dtypes };
}

function parseInfo(name: string, value: unknown): Info {
  const where = `safetensors: tensor '${name}'`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(value)}`);
  }
  const v = value as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = v;
  if (typeof dtype !== 'string') throw new Error(`${where}: field 'dtype' must be a string, got ${JSON.stringify(dtype)}`);
  if (!(DTYPE_ORDER as readonly string[]).includes(dtype)) throw new Error(`${where}: unknown dtype '${dtype}'`);
  if (!Array.isArray(shape)) throw new Error(`${where}: field 'shape' must be an array, got ${JSON.stringify(shape)}`);
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${where}: shape[${i}] is ${JSON.stringify(d)}, expected a non-negative integer`);
    }
  });
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw new Error(`${where}: field 'data_offsets' must be [begin, end], got ${JSON.stringify(offsets)}`);
  }
  for (const o of offsets) {
    if (typeof o !== 'number' || !Number.isSafeInteger(o) || o < 0) {
      throw new Error(`${where}: data_offsets ${JSON.stringify(offsets)} must be non-negative integers`);
    }
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin: offsets[0] as number, end: offsets[1] as number };
}

/** Copy one tensor's bytes out (so unaligned offsets are fine) and convert to a host dtype. */
function convert(t: Info, raw: Uint8Array): HostTensor {
  const size = DTYPE_SIZE[t.dtype]!;
  const copy = raw.slice(); // fresh, aligned ArrayBuffer
  if (!LITTLE_ENDIAN && size > 1) swapBytes(copy, size);
  const buf = copy.buffer;
  const shape = [...t.shape];
  const f32 = (data: Float32Array): HostTensor => ({ dtype: 'float32', shape, data });
  const i32 = (data: Int32Array): HostTensor => ({ dtype: 'int32', shape, data });
  switch (t.dtype) {
    case 'F32':
      return f32(new Float32Array(buf));
    case 'F16':
      return f32(decodeF16(new Uint16Array(buf)));
    case 'BF16':
      return f32(decodeBf16(new Uint16Array(buf)));
    case 'F64':
      return f32(Float32Array.from(new Float64Array(buf))); // narrowed: rounds to nearest float32; |x| > 3.4e38 -> ±inf
    case 'I32':
      return i32(new Int32Array(buf));
    case 'BOOL':
      return i32(Int32Array.from(copy, (b) => (b !== 0 ? 1 : 0)));
    case 'U8':
      return i32(Int32Array.from(copy));
    case 'I8':
      return i32(Int32Array.from(new Int8Array(buf)));
    case 'I16':
      return i32(Int32Array.from(new Int16Array(buf)));
    case 'U16':
      return i32(Int32Array.from(new Uint16Array(buf)));
    case 'U32': {
      const u = new Uint32Array(buf);
      for (let i = 0; i < u.length; i++) if (u[i]! > 0x7fffffff) throw rangeError(t, i, BigInt(u[i]!));
      return i32(new Int32Array(buf));
    }
    case 'I64':
    case 'U64': {
      // Narrow to int32: the high word must be the sign extension of the low word (I64) or 0 (U64).
      const w = new Int32Array(buf);
      const out = new Int32Array(w.length / 2);
      for (let i = 0; i < out.length; i++) {
        const lo = w[2 * i]!;
        const hi = w[2 * i + 1]!;
        const ok = t.dtype === 'I64' ? hi === lo >> 31 : hi === 0 && lo >= 0;
        if (!ok) {
          const big = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
          throw rangeError(t, i, t.dtype === 'U64' ? BigInt.asUintN(64, big) : big);
        }
        out[i] = lo;
      }
      return i32(out);
    }
    default:
      throw new Error(`safetensors: tensor '${t.name}' has dtype ${t.dtype}, which perturbset cannot read`);
  }
}

function rangeError(t: Info, index: number, value: bigint): Error {
  return new Error(
    `safetensors: tensor '${t.name}' (${t.dtype}) element ${index} is ${value}, outside the int32 range [-2147483648, 2147483647]`,
  );
}

// ---------------------------------------------------------------------------------------------
// Helpers

function rank(d: SafetensorsDtype): number {
  return DTYPE_ORDER.indexOf(d);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Lone UTF-16 surrogates cannot be written as UTF-8 (the reference reader would reject the header). */
function checkWellFormed(s: string, what: string): void {
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) {
    throw new Error(`safetensors: ${what} ${JSON.stringify(s)} contains a lone UTF-16 surrogate`);
  }
}

/** Define an own enumerable property (also for names such as '__proto__'). */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let j = 0; j < size >> 1; j++) {
      const x = b[i + j]!;
      b[i + j] = b[i + size - 1 - j]!;
      b[i + size - 1 - j] = x;
    }
  }
}
