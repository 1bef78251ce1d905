/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import type { HostTensor } from '../../src/io/host-tensor.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/io/${name}`, import.meta.url)));
const expected = JSON.parse(readFileSync(new URL('../fixtures/io/mixed.expected.json', import.meta.url), 'utf8')) as Record<
  string,
  { dtype: string; shape: number[]; f32_bits?: number[]; int?: number[] }
>;

const f32 = (shape: number[], values: number[]): HostTensor => ({ dtype: 'float32', shape, data: Float32Array.from(values) });
const i32 = (shape: number[], values: number[]): HostTensor => ({ dtype: 'int32', shape, data: Int32Array.from(values) });
const bitsOf = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A file from a header (object or raw string) and a data buffer, with the true header length unless overridden. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Expect decodeSafetensors to throw quickly with a message matching every pattern. */
function expectError(bytes: Uint8Array, ...patterns: (string | RegExp)[]): void {
  const t0 = performance.now();
  let message = '';
  try {
    decodeSafetensors(bytes);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(performance.now() - t0).toBeLessThan(200);
  expect(message).toMatch(/^safetensors: /);
  for (const p of patterns) expect(message).toMatch(p);
}

describe('encodeSafetensors: reference writer bytes', () => {
  // Byte vectors from the reference crate's own tests (safetensors/src/tensor.rs).
  it('serialises one F32 tensor exactly like the Rust writer', () => {
    const out = encodeSafetensors({ 'attn.0': f32([1, 2, 3], [0, 1, 2, 3, 4, 5]) });
    expect(Array.from(out)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34,
      70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95,
      111, 102, 102, 115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0,
      64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
    const aligned = encodeSafetensors({ attn0: f32([1, 1, 2, 3], [0, 1, 2, 3, 4, 5]) });
    expect(Array.from(aligned.subarray(0, 8))).toEqual([72, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(aligned.subarray(73, 80))).toEqual([32, 32, 32, 32, 32, 32, 32]); // space padding to 8
  });

  it('serialises the empty file, with and without metadata', () => {
    expect(Array.from(encodeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(encodeSafetensors([], { framework: 'pt' }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114,
      97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
    expect(decodeSafetensors(encodeSafetensors({}))).toEqual({ tensors: {}, metadata: {}, dtypes: {} });
  });

  it('reproduces a Python-written file byte for byte (order: dtype rank desc, then name)', () => {
    const bytes = fixture('writable.safetensors');
    const { tensors, metadata, dtypes } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(dtypes).toEqual({
      'bn.num_batches_tracked': 'I64',
      'layer.bias': 'F32',
      'layer.weight': 'F32',
      labels: 'I32',
      brain: 'BF16',
      half: 'F16',
    });
    // Feed the tensors in a scrambled order: the writer must sort them itself.
    const scrambled = Object.entries(tensors).reverse();
    expect(encodeSafetensors(scrambled, metadata, { dtypes })).toEqual(bytes);
  });

  it('sorts names by code point (UTF-8 bytes) like Rust, not by UTF-16 units', () => {
    const out = encodeSafetensors({ 'z.\u{1F600}': f32([1], [2]), 'z.\uff61': f32([1], [1]), 'héllo.β': f32([2], [3, 4]) });
    const names = Object.keys(decodeSafetensors(out).tensors);
    expect(names).toEqual(['héllo.β', 'z.\uff61', 'z.\u{1F600}']);
    // Same relative order as in the Python-written fixture.
    const fromPython = Object.keys(decodeSafetensors(fixture('mixed.safetensors')).tensors).filter((n) => names.includes(n));
    expect(fromPython).toEqual(names);
  });
});

describe('decodeSafetensors', () => {
  it('reads every dtype of a Python-written file (F16/BF16 upcast, I64/BOOL/U8 to int32, F64 narrowed)', () => {
    const { tensors, metadata, dtypes } = decodeSafetensors(fixture('mixed.safetensors'));
    expect(metadata).toEqual({ format: 'pt' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, e] of Object.entries(expected)) {
      const t = tensors[name]!;
      expect(dtypes[name]).toBe(e.dtype);
      expect(t.shape).toEqual(e.shape);
      if (e.f32_bits !== undefined) {
        expect(t.dtype).toBe('float32');
        expect([name, bitsOf(t.data as Float32Array)]).toEqual([name, e.f32_bits]);
      } else {
        expect(t.dtype).toBe('int32');
        expect([name, Array.from(t.data)]).toEqual([name, e.int]);
      }
    }
    expect(tensors['s.scalar']!.shape).toEqual([]);
    expect(tensors['e.empty']!.data.length).toBe(0);
  });

  it('narrows I64 with a range check naming the tensor and the value', () => {
    expectError(fixture('i64-overflow.safetensors'), /'steps'/, /element 2 is 3000000000/, /int32 range/);
    const neg = new Uint8Array(16);
    new DataView(neg.buffer).setBigInt64(8, -(2n ** 31n) - 1n, true);
    expectError(craft({ v: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, neg), /'v'/, /-2147483649/);
  });

  it('loads tensors at unaligned offsets (header length not a multiple of 8, odd data offsets)', () => {
    const data = new Uint8Array(1 + 8 + 2);
    data[0] = 7;
    new DataView(data.buffer).setFloat32(1, 1.5, true);
    new DataView(data.buffer).setFloat32(5, -2, true);
    new DataView(data.buffer).setUint16(9, 0x3c00, true); // f16 1.0 at odd offset 9
    const bytes = craft(
      {
        a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
        b: { dtype: 'F32', shape: [2], data_offsets: [1, 9] },
        c: { dtype: 'F16', shape: [1], data_offsets: [9, 11] },
      },
      data,
    );
    // Also from a Uint8Array that is itself a view at an odd byte offset.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    for (const input of [bytes, shifted.subarray(3)]) {
      const { tensors } = decodeSafetensors(input);
      expect(Array.from(tensors.a!.data)).toEqual([7]);
      expect(Array.from(tensors.b!.data)).toEqual([1.5, -2]);
      expect(Array.from(tensors.c!.data)).toEqual([1]);
    }
  });

  it('accepts tensors listed in any order in the header and returns them in offset order', () => {
    const data = new Uint8Array(8);
    const { tensors } = decodeSafetensors(
      craft(
        {
          second: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
          __metadata__: { k: 'v' },
          first: { dtype: 'I32', shape: [], data_offsets: [0, 4] },
        },
        data,
      ),
    );
    expect(Object.keys(tensors)).toEqual(['first', 'second']);
  });
});

describe('round trips', () => {
  function randomTensors(seed: number): Record<string, HostTensor> {
    let s = seed;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const out: Record<string, HostTensor> = {};
    for (let k = 0; k < 12; k++) {
      const shape = Array.from({ length: k % 4 }, () => 1 + Math.floor(rnd() * 5));
      const n = shape.reduce((a, b) => a * b, 1);
      out[`layer${k}.${k % 2 ? 'weight' : 'bias'}`] =
        k % 3 === 0 ? i32(shape, Array.from({ length: n }, () => Math.floor((rnd() - 0.5) * 2 ** 32))) : f32(shape, Array.from({ length: n }, () => rnd() * 10 - 5));
    }
    const special = new Float32Array([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38]);
    new Uint32Array(special.buffer)[0] = 0x7fa00001; // a signalling-NaN payload must survive
    out['special'] = { dtype: 'float32', shape: [6], data: special };
    // Names are data: '__proto__' must be an ordinary tensor, not a prototype change.
    Object.defineProperty(out, '__proto__', { value: f32([1], [42]), enumerable: true, writable: true, configurable: true });
    return out;
  }

  it('decode -> encode gives identical bytes, and values survive bit for bit', () => {
    for (const seed of [1, 2, 3]) {
      const tensors = randomTensors(seed);
      const bytes = encodeSafetensors(Object.entries(tensors), { format: 'pt', note: 'seed ' + seed });
      const back = decodeSafetensors(bytes);
      expect(encodeSafetensors(back.tensors, back.metadata, { dtypes: back.dtypes })).toEqual(bytes);
      expect(encodeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
      for (const [name, t] of Object.entries(tensors)) {
        const u = back.tensors[name]!;
        expect(u.dtype).toBe(t.dtype);
        expect(u.shape).toEqual(t.shape);
        expect(new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength)).toEqual(
          new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
        );
      }
      expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
      expect(Object.keys(back.tensors)).toContain('__proto__');
      expect(Array.from(back.tensors['__proto__']!.data)).toEqual([42]);
    }
  });

  it('decode -> encode of a Python file with F16, BF16 and I64 is byte-identical when dtypes are passed back', () => {
    const bytes = fixture('writable.safetensors');
    const back = decodeSafetensors(bytes);
    expect(encodeSafetensors(back.tensors, back.metadata, { dtypes: back.dtypes })).toEqual(bytes);
  });

  it('stores F16 / BF16 on request, rounding to nearest even', () => {
    const x = f32([4], [1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, 1 / 3]);
    const out = decodeSafetensors(encodeSafetensors({ x, y: x }, undefined, { dtypes: { x: 'F16', y: 'BF16' } }));
    expect(Array.from(out.tensors.x!.data)).toEqual([1, 1 + 2 ** -9, Infinity, 0.333251953125]);
    expect(Array.from(out.tensors.y!.data)).toEqual([1, 1, 70144, 0.333984375]);
    expect(out.dtypes).toEqual({ x: 'F16', y: 'BF16' });
  });
});

describe('decodeSafetensors rejects malformed files quickly, naming the fault', () => {
  const ok = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);

  it('file shorter than 8 bytes', () => {
    expectError(new Uint8Array(0), /0 bytes/);
    expectError(new Uint8Array(5), /5 bytes, shorter than the 8-byte/);
  });

  it('huge header lengths (no allocation, no hang)', () => {
    expectError(craft(ok, data8, 2n ** 60n), /header length 1152921504606846976 exceeds/);
    expectError(craft(ok, data8, 2n ** 64n - 1n), /exceeds/);
    expectError(craft(ok, data8, 100_000_001n), /exceeds the 100000000-byte limit/);
    expectError(craft(ok, data8, 5000n), /header length 5000 runs past the end of the file/);
  });

  it('header not UTF-8, not JSON, not an object', () => {
    const bad = craft('{"t":1}');
    bad[10] = 0xff;
    expectError(bad, /not valid UTF-8/);
    expectError(craft('{"t": {"dtype": "F32",'), /not valid JSON/);
    expectError(craft('hello world'), /not valid JSON/, /hello world/);
    expectError(craft('[1,2]'), /must be a JSON object, got an array/);
    expectError(craft('null'), /must be a JSON object/);
  });

  it('missing or ill-typed fields', () => {
    expectError(craft({ t: 5 }), /tensor 't'/, /expected \{dtype, shape, data_offsets\}/);
    expectError(craft({ t: { shape: [2], data_offsets: [0, 8] } }, data8), /tensor 't'/, /'dtype' must be a string/);
    expectError(craft({ t: { dtype: 'F32', data_offsets: [0, 8] } }, data8), /tensor 't'/, /'shape' must be an array/);
    expectError(craft({ t: { dtype: 'F32', shape: [2] } }, data8), /tensor 't'/, /'data_offsets' must be \[begin, end\]/);
    expectError(craft({ t: { dtype: 'F32', shape: [2], data_offsets: [0] } }, data8), /'data_offsets' must be/);
    expectError(craft({ t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data8), /shape\[0\] is -2/);
    expectError(craft({ t: { dtype: 'F32', shape: [2.5], data_offsets: [0, 8] } }, data8), /shape\[0\] is 2.5/);
    expectError(craft({ t: { dtype: 'F32', shape: ['2'], data_offsets: [0, 8] } }, data8), /shape\[0\] is "2"/);
    expectError(craft({ t: { dtype: 'F32', shape: [2], data_offsets: [-1, 8] } }, data8), /non-negative integers/);
    expectError(craft({ __metadata__: { a: 1 } }), /metadata 'a' must be a string/);
    expectError(craft({ __metadata__: [] }), /'__metadata__' must be an object/);
  });

  it('unknown and unreadable dtypes', () => {
    expectError(craft({ weights: { dtype: 'Q4_K', shape: [2], data_offsets: [0, 8] } }, data8), /unknown dtype 'Q4_K'/, /'weights'/);
    expectError(craft({ w: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }, data8), /'w' has dtype F8_E4M3/, /cannot read/);
  });

  it('shape × dtype size different from the offset span', () => {
    expectError(craft({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data8), /'t'/, /\[3\] × F32 = 12 bytes/, /span 8 bytes/);
    expectError(craft({ t: { dtype: 'F16', shape: [2], data_offsets: [0, 8] } }, data8), /= 4 bytes/);
  });

  it('offsets out of range, reversed, overlapping, gaps, trailing bytes', () => {
    expectError(craft({ t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data8), /'t'/, /\[0, 16\] beyond the 8-byte data buffer/);
    expectError(craft({ t: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, data8), /end < begin/);
    expectError(
      craft(
        { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
        data8,
      ),
      /'a' \[0, 8\] and 'b' \[4, 8\] overlap/,
    );
    expectError(
      craft(
        { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] }, c: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
        data8,
      ),
      /overlap/,
    );
    expectError(craft({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data8), /4 bytes before tensor 't'/, /fully covered/);
    expectError(craft({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data8), /cover 4 bytes but the data buffer has 8/);
    expectError(craft({}, data8), /cover 0 bytes but the data buffer has 8/);
    // Offsets beyond 2^53 cannot be exact in JSON numbers: rejected rather than misread.
    expectError(craft('{"t":{"dtype":"U8","shape":[0],"data_offsets":[18446744073709551615,18446744073709551615]}}'), /non-negative integers/);
  });

  it('element-count overflow is an error, not a wrap-around', () => {
    expectError(craft({ t: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 8] } }, data8), /more than 2\^53 elements/);
  });
});

describe('encodeSafetensors validates its input', () => {
  it('names the tensor at fault', () => {
    expect(() => encodeSafetensors({ w: f32([2, 2], [1, 2, 3]) })).toThrow(/^safetensors: tensor 'w' has shape \[2, 2\] \(4 elements\) but 3 data elements/);
    expect(() => encodeSafetensors({ w: { dtype: 'float32', shape: [1], data: new Int32Array(1) } })).toThrow(/'w' has dtype float32 but its data is not a Float32Array/);
    expect(() => encodeSafetensors({ w: { dtype: 'float64' as 'float32', shape: [1], data: new Float32Array(1) } })).toThrow(/dtype 'float64'/);
    expect(() => encodeSafetensors({ w: f32([-1], []) })).toThrow(/dimension 0 of shape \[-1\]/);
    expect(() => encodeSafetensors([['a', f32([1], [1])], ['a', f32([1], [2])]])).toThrow(/duplicate tensor name 'a'/);
    expect(() => encodeSafetensors({ __metadata__: f32([1], [1]) })).toThrow(/reserved/);
    expect(() => encodeSafetensors({ n: i32([1], [1]) }, undefined, { dtypes: { n: 'F16' } })).toThrow(/'n' is int32 and cannot be stored as F16/);
    expect(() => encodeSafetensors({ n: i32([1], [1]) }, undefined, { dtypes: { m: 'I64' } })).toThrow(/names 'm'/);
    expect(() => encodeSafetensors({}, { a: 1 as unknown as string })).toThrow(/metadata value for 'a' is number/);
    expect(() => encodeSafetensors({ ['bad\ud800']: f32([1], [1]) })).toThrow(/lone UTF-16 surrogate/);
  });
});
