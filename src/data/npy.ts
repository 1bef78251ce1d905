/**
 * NumPy `.npy` files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 *
 * Layout: `\x93NUMPY`, major, minor; header length (u16 LE for 1.0, u32 LE for 2.0 and 3.0); the
 * header, a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`
 * (latin-1 for 1.0/2.0, UTF-8 for 3.0) padded with spaces and a final '\n'; then the raw data.
 *
 * Supported: `|u1` (uint8) and `<f4` (float32), C order. `<f8` is accepted and **narrowed to
 * float32** (round to nearest; NumPy saves float64 by default, and every consumer here computes in
 * float32) — `descr` in the result tells the caller it happened. Anything else (other dtypes,
 * big-endian, Fortran order, structured dtypes) is a clear error.
 */

export type Npy = {
  dtype: 'uint8' | 'float32';
  shape: number[];
  data: Uint8Array | Float32Array;
  /** The stored descr, e.g. '|u1', '<f4' or '<f8' (the last narrowed to float32). */
  descr: string;
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy leaves room for the first axis to grow to this many digits (numpy >= 1.23). */
const GROWTH_AXIS_MAX_DIGITS = 21;
const ARRAY_ALIGN = 64;

/** Parse `.npy` bytes (format versions 1.0, 2.0 and 3.0). */
export function parseNpy(bytes: Uint8Array): Npy {
  if (!(bytes instanceof Uint8Array)) throw new Error('parseNpy: input must be a Uint8Array');
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`parseNpy: not a .npy file (${bytes.length} bytes; it must start with \\x93NUMPY)`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (minor !== 0 || major < 1 || major > 3) throw new Error(`parseNpy: unsupported format version ${major}.${minor} (known: 1.0, 2.0, 3.0)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw new Error(`parseNpy: truncated: ${bytes.length} bytes, the version ${major}.0 prefix needs ${prefix}`);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (prefix + hlen > bytes.length) {
    throw new Error(`parseNpy: truncated header: it declares ${hlen} bytes but only ${bytes.length - prefix} follow`);
  }
  const raw = bytes.subarray(prefix, prefix + hlen);
  let text: string;
  if (major === 3) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new Error('parseNpy: version 3.0 header is not valid UTF-8');
    }
  } else {
    text = Array.from(raw, (b) => String.fromCharCode(b)).join(''); // latin-1
  }
  const header = parseHeader(text);

  const { descr, fortran_order: fortran, shape } = header;
  if (typeof descr !== 'string') {
    throw new Error(`parseNpy: structured dtype ${JSON.stringify(descr)} is not supported (only |u1, <f4, <f8)`);
  }
  if (typeof fortran !== 'boolean') throw new Error(`parseNpy: 'fortran_order' must be True or False, got ${JSON.stringify(fortran)}`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`parseNpy: 'shape' must be a tuple of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (fortran) throw new Error(`parseNpy: fortran_order: True is not supported (save a C-ordered array, e.g. np.ascontiguousarray)`);
  let itemsize: number;
  if (descr === '|u1' || descr === '<u1' || descr === '>u1' || descr === 'u1') itemsize = 1;
  else if (descr === '<f4') itemsize = 4;
  else if (descr === '<f8') itemsize = 8;
  else if (descr[0] === '>' || (descr[0] === '=' && descr !== '=u1')) {
    throw new Error(`parseNpy: big-endian or native-order dtype '${descr}' is not supported (save with '<' byte order)`);
  } else {
    throw new Error(`parseNpy: dtype '${descr}' is not supported (only |u1, <f4 and <f8 -> float32)`);
  }
  const dims = shape as number[];
  const count = dims.reduce((a, b) => a * b, 1);
  const start = prefix + hlen;
  const need = count * itemsize;
  const have = bytes.length - start;
  if (have !== need) {
    throw new Error(
      `parseNpy: data ${have < need ? 'truncated' : 'has trailing bytes'}: shape (${dims.join(', ')}) of '${descr}' needs ${need} bytes, found ${have}`,
    );
  }
  const body = bytes.slice(start); // fresh, aligned copy
  if (itemsize === 1) return { dtype: 'uint8', shape: dims, data: body, descr };
  const v = new DataView(body.buffer);
  const data = new Float32Array(count);
  if (itemsize === 4) {
    const bits = new Uint32Array(data.buffer); // copy bit patterns, so NaN payloads survive
    for (let i = 0; i < count; i++) bits[i] = v.getUint32(4 * i, true);
  } else {
    for (let i = 0; i < count; i++) data[i] = v.getFloat64(8 * i, true);
  }
  return { dtype: 'float32', shape: dims, data, descr };
}

/** Write a `.npy` file byte-identical to `np.save` (version 1.0, or 2.0 for headers >= 64 KiB). */
export function encodeNpy(array: { dtype: 'uint8' | 'float32'; shape: readonly number[]; data: Uint8Array | Float32Array }): Uint8Array {
  const { dtype, shape, data } = array;
  if (dtype === 'uint8' ? !(data instanceof Uint8Array) : dtype === 'float32' ? !(data instanceof Float32Array) : true) {
    throw new Error(`encodeNpy: dtype '${String(dtype)}' with ${data?.constructor?.name} data; expected uint8 + Uint8Array or float32 + Float32Array`);
  }
  shape.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`encodeNpy: shape[${i}] is ${d}, expected a non-negative integer`);
  });
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape (${shape.join(', ')}) has ${count} elements, data has ${data.length}`);
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype === 'uint8' ? '|u1' : '<f4'}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  // header + padding + '\n' aligned so that the data starts at a multiple of 64 (numpy pads 1..64).
  let prefixLen = 10;
  let padlen = ARRAY_ALIGN - ((prefixLen + header.length + 1) % ARRAY_ALIGN);
  let major = 1;
  if (header.length + 1 + padlen > 0xffff) {
    major = 2;
    prefixLen = 12;
    padlen = ARRAY_ALIGN - ((prefixLen + header.length + 1) % ARRAY_ALIGN);
  }
  const hlen = header.length + padlen + 1;
  const out = new Uint8Array(prefixLen + hlen + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, hlen, true);
  else dv.setUint32(8, hlen, true);
  for (let i = 0; i < header.length; i++) out[prefixLen + i] = header.charCodeAt(i);
  out.fill(0x20, prefixLen + header.length, prefixLen + hlen - 1);
  out[prefixLen + hlen - 1] = 0x0a;
  const body = prefixLen + hlen;
  if (data instanceof Uint8Array) out.set(data, body);
  else {
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < bits.length; i++) dv.setUint32(body + 4 * i, bits[i]!, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The header: a Python literal dict of str -> (str | bool | None | int | tuple | list | dict).

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

function parseHeader(text: string): { descr?: PyValue; fortran_order?: PyValue; shape?: PyValue } {
  const p = new LiteralParser(text);
  let value: PyValue;
  try {
    value = p.value();
    p.skipSpace();
    if (p.pos !== text.length) throw p.fail('unexpected text after the dict');
  } catch (e) {
    throw new Error(`parseNpy: malformed header ${JSON.stringify(text.trim().slice(0, 120))}: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`parseNpy: header is not a dict: ${JSON.stringify(text.trim().slice(0, 120))}`);
  }
  const keys = Object.keys(value).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new Error(`parseNpy: header keys are [${keys.join(', ')}], expected exactly descr, fortran_order, shape`);
  }
  return value as { descr: PyValue; fortran_order: PyValue; shape: PyValue };
}

class LiteralParser {
  pos = 0;
  constructor(private readonly s: string) {}

  fail(msg: string): Error {
    return new Error(`${msg} at character ${this.pos}`);
  }

  skipSpace(): void {
    while (this.pos < this.s.length && ' \t\r\n'.includes(this.s[this.pos]!)) this.pos++;
  }

  value(): PyValue {
    this.skipSpace();
    const c = this.s[this.pos];
    if (c === undefined) throw this.fail('unexpected end');
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|-?\d+L?)/.exec(this.s.slice(this.pos));
    if (word === null) throw this.fail(`unexpected character ${JSON.stringify(c)}`);
    this.pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', '')); // Python 2 long suffix, as old files have
  }

  private dict(): { [k: string]: PyValue } {
    const out: { [k: string]: PyValue } = Object.create(null) as { [k: string]: PyValue };
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string') throw this.fail('dict keys must be strings');
      this.skipSpace();
      if (this.s[this.pos] !== ':') throw this.fail("expected ':'");
      this.pos++;
      out[key] = this.value();
      this.skipSpace();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== '}') throw this.fail("expected ',' or '}'");
    }
  }

  private sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.pos++;
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.value());
      this.skipSpace();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== close) throw this.fail(`expected ',' or '${close}'`);
    }
  }

  private string(): string {
    const q = this.s[this.pos]!;
    const end = this.s.indexOf(q, this.pos + 1);
    if (end < 0) throw this.fail('unterminated string');
    const body = this.s.slice(this.pos + 1, end);
    if (body.includes('\\')) throw this.fail('escapes in strings are not supported');
    this.pos = end + 1;
    return body;
  }
}
