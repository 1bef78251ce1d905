/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { encodeNpy, parseNpy } from '../../src/data/npy.js';

const read = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/io/${name}`, import.meta.url)));
const expected = JSON.parse(readFileSync(new URL('../fixtures/io/npy.expected.json', import.meta.url), 'utf8')) as {
  f4_bits: number[];
  f8_as_f32_bits: number[];
};
const bits = (a: Float32Array | Uint8Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A .npy file from a raw header string (version 1.0, no alignment games) and a body. */
function craft(header: string, body = new Uint8Array(0), version = 1): Uint8Array {
  const h = new TextEncoder().encode(header);
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  out.set(h, pre);
  out.set(body, pre + h.length);
  return out;
}

describe('parseNpy on files written by NumPy', () => {
  it('uint8 and float32, C order', () => {
    const u8 = parseNpy(read('npy-u8.npy'));
    expect(u8).toMatchObject({ dtype: 'uint8', shape: [2, 3, 4], descr: '|u1' });
    expect(Array.from(u8.data)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const f4 = parseNpy(read('npy-f4.npy'));
    expect(f4).toMatchObject({ dtype: 'float32', shape: [3, 5], descr: '<f4' });
    expect(bits(f4.data as Float32Array)).toEqual(expected.f4_bits);
    expect(Array.from(parseNpy(read('npy-1d.npy')).data)).toEqual([0, 1, 2, 3, 4, 5, 6].map((v) => v / 8));
    const cc = parseNpy(read('npy-cifar-c.npy'));
    expect([cc.dtype, cc.shape, cc.data.length]).toEqual(['uint8', [2, 32, 32, 3], 6144]);
  });

  it('float64 is narrowed to float32 (round to nearest), and says so in descr', () => {
    const f8 = parseNpy(read('npy-f8.npy'));
    expect(f8).toMatchObject({ dtype: 'float32', shape: [4], descr: '<f8' });
    expect(bits(f8.data as Float32Array)).toEqual(expected.f8_as_f32_bits);
  });

  it('0-d, empty, and format versions 2.0 and 3.0', () => {
    const s = parseNpy(read('npy-scalar.npy'));
    expect([s.shape, Array.from(s.data)]).toEqual([[], [1.5]]);
    const e = parseNpy(read('npy-empty.npy'));
    expect([e.shape, e.data.length]).toEqual([[0, 4], 0]);
    const v2 = parseNpy(read('npy-v2.npy'));
    expect(read('npy-v2.npy')[6]).toBe(2);
    expect(bits(v2.data as Float32Array)).toEqual(expected.f4_bits);
    const v3 = parseNpy(read('npy-v3.npy'));
    expect(read('npy-v3.npy')[6]).toBe(3);
    expect([v3.shape, Array.from(v3.data)]).toEqual([[3, 2], [0, 1, 2, 3, 4, 5]]);
  });

  it('rejects Fortran order, big-endian and other dtypes clearly', () => {
    expect(() => parseNpy(read('npy-fortran.npy'))).toThrow(/^parseNpy: fortran_order: True is not supported/);
    expect(() => parseNpy(read('npy-be.npy'))).toThrow(/^parseNpy: big-endian or native-order dtype '>f4'/);
    expect(() => parseNpy(read('npy-i8.npy'))).toThrow(/^parseNpy: dtype '<i8' is not supported/);
  });
});

describe('parseNpy validation', () => {
  it('truncated and over-long data, truncated header', () => {
    const f4 = read('npy-f4.npy');
    expect(() => parseNpy(f4.subarray(0, f4.length - 1))).toThrow(/^parseNpy: data truncated: shape \(3, 5\) of '<f4' needs 60 bytes, found 59/);
    const longer = new Uint8Array(f4.length + 4);
    longer.set(f4);
    expect(() => parseNpy(longer)).toThrow(/data has trailing bytes: .* needs 60 bytes, found 64/);
    expect(() => parseNpy(f4.subarray(0, 40))).toThrow(/truncated header: it declares 118 bytes but only 30 follow/);
    expect(() => parseNpy(f4.subarray(0, 9))).toThrow(/not a \.npy file/);
  });

  it('malformed headers', () => {
    expect(() => parseNpy(new TextEncoder().encode('PK\x03\x04 not numpy'))).toThrow(/^parseNpy: not a \.npy file/);
    const bad = craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    bad[6] = 4;
    expect(() => parseNpy(bad)).toThrow(/unsupported format version 4.0/);
    expect(() => parseNpy(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)"))).toThrow(/^parseNpy: malformed header .*expected ',' or '}'/);
    expect(() => parseNpy(craft("{'descr': '<f4', 'fortran_order': Nope, 'shape': (1,), }"))).toThrow(/malformed header.*unexpected character "N"/);
    expect(() => parseNpy(craft("{'descr': '<f4', 'shape': (1,), }"))).toThrow(/header keys are \[descr, shape\], expected exactly/);
    expect(() => parseNpy(craft("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }"))).toThrow(/'fortran_order' must be True or False/);
    expect(() => parseNpy(craft("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }"))).toThrow(/'shape' must be a tuple of non-negative integers/);
    expect(() => parseNpy(craft("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }"))).toThrow(/structured dtype/);
    expect(() => parseNpy(craft("[1, 2]"))).toThrow(/header is not a dict/);
    // Python 2 era headers: long suffix, double quotes; version 2.0 prefix.
    const old = parseNpy(craft('{"descr": "|u1", "fortran_order": False, "shape": (2L, 1L)}\n', Uint8Array.from([5, 6]), 2));
    expect([old.shape, Array.from(old.data)]).toEqual([[2, 1], [5, 6]]);
  });
});

describe('encodeNpy', () => {
  it('writes the same bytes as np.save', () => {
    for (const name of ['npy-u8.npy', 'npy-f4.npy', 'npy-1d.npy', 'npy-scalar.npy', 'npy-empty.npy', 'npy-cifar-c.npy']) {
      const file = read(name);
      const { dtype, shape, data } = parseNpy(file);
      expect([name, Array.from(encodeNpy({ dtype, shape, data }))]).toEqual([name, Array.from(file)]);
    }
  });

  it('round-trips, including NaN payloads, and validates', () => {
    const data = Float32Array.from([1, -2, NaN, 3]);
    new Uint32Array(data.buffer)[2] = 0x7fa00001;
    const back = parseNpy(encodeNpy({ dtype: 'float32', shape: [2, 2], data }));
    expect(bits(back.data as Float32Array)).toEqual(bits(data));
    expect(() => encodeNpy({ dtype: 'float32', shape: [3], data })).toThrow(/^encodeNpy: shape \(3\) has 3 elements, data has 4/);
    expect(() => encodeNpy({ dtype: 'uint8', shape: [4], data })).toThrow(/^encodeNpy: dtype 'uint8' with Float32Array data/);
    expect(() => encodeNpy({ dtype: 'uint8', shape: [1.5], data: new Uint8Array(1) })).toThrow(/shape\[0\] is 1.5/);
  });
});
