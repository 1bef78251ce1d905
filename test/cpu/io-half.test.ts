/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  bf16BitsToF32Bits,
  decodeBf16,
  decodeF16,
  encodeBf16,
  encodeF16,
  f16BitsToF32Bits,
  f32BitsToBf16Bits,
  f32BitsToF16Bits,
} from '../../src/io/half.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/io/half.json', import.meta.url), 'utf8')) as {
  f32_bits: number[];
  f16_bits: number[];
  bf16_bits: number[];
  h_bits: number[];
  h_as_f32_bits: number[];
};

const bitsToF32 = (b: number) => new Float32Array(new Uint32Array([b]).buffer)[0]!;
const f32ToBits = (v: number) => new Uint32Array(new Float32Array([v]).buffer)[0]!;

describe('float16 / bfloat16 conversions', () => {
  it('f16 -> f32 is exact on all 65536 patterns (checked against the IEEE formula)', () => {
    for (let h = 0; h < 65536; h++) {
      const s = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      const got = f16BitsToF32Bits(h);
      if (e === 0x1f) {
        expect((got & 0x7f800000) >>> 0).toBe(0x7f800000);
        expect(got & 0x7fffff).toBe(m << 13);
        expect(got >>> 31).toBe(h >> 15);
        continue;
      }
      const want = s * (e === 0 ? m * 2 ** -24 : 2 ** (e - 15) * (1 + m / 1024));
      expect(Object.is(bitsToF32(got), want)).toBe(true);
    }
  });

  it('f16 -> f32 -> f16 and bf16 -> f32 -> bf16 are the identity on all 65536 patterns', () => {
    for (let h = 0; h < 65536; h++) {
      expect(f32BitsToF16Bits(f16BitsToF32Bits(h))).toBe(h);
      expect(f32BitsToBf16Bits(bf16BitsToF32Bits(h))).toBe(h);
    }
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    expect(encodeF16(decodeF16(all))).toEqual(all);
    expect(encodeBf16(decodeBf16(all))).toEqual(all);
  });

  it('matches torch: float32 -> float16 / bfloat16 (round to nearest even) and float16 -> float32', () => {
    const n = fixture.f32_bits.length;
    expect(n).toBeGreaterThan(500);
    for (let i = 0; i < n; i++) {
      const x = fixture.f32_bits[i]!;
      expect([i, x, f32BitsToF16Bits(x)]).toEqual([i, x, fixture.f16_bits[i]]);
      if ((x & 0x7fffffff) > 0x7f800000) {
        // torch's vectorised CPU path turns every NaN into 0xffff, its scalar path into 0x7fc0;
        // we keep sign and top payload bits (quiet NaN 0x7fc0 here). Only NaN-ness is compared.
        expect(f32BitsToBf16Bits(x) & 0x7f80).toBe(0x7f80);
        expect(f32BitsToBf16Bits(x) & 0x7f).not.toBe(0);
        continue;
      }
      expect([i, x, f32BitsToBf16Bits(x)]).toEqual([i, x, fixture.bf16_bits[i]]);
    }
    fixture.h_bits.forEach((h, i) => expect(f16BitsToF32Bits(h)).toBe(fixture.h_as_f32_bits[i]));
    // Array forms agree with the scalar ones.
    const arr = new Float32Array(new Uint32Array(fixture.f32_bits).buffer);
    expect(Array.from(encodeF16(arr))).toEqual(fixture.f16_bits);
    const bf = encodeBf16(arr);
    fixture.f32_bits.forEach((x, i) => {
      if ((x & 0x7fffffff) <= 0x7f800000) expect(bf[i]).toBe(fixture.bf16_bits[i]);
    });
  });

  it('rounds the hand-picked edge cases', () => {
    expect(f32BitsToF16Bits(f32ToBits(65504))).toBe(0x7bff);
    expect(f32BitsToF16Bits(f32ToBits(65520))).toBe(0x7c00); // tie between max and "65536" goes to even = inf
    expect(f32BitsToF16Bits(f32ToBits(2 ** -25))).toBe(0); // tie to even (0)
    expect(f32BitsToF16Bits(f32ToBits(3 * 2 ** -25))).toBe(2); // 1.5 ulp -> tie -> even (2)
    expect(f32BitsToF16Bits(f32ToBits(2 ** -14 - 2 ** -25))).toBe(0x0400); // max subnormal + half -> min normal
    expect(f32BitsToF16Bits(f32ToBits(-0))).toBe(0x8000);
    expect(f32BitsToF16Bits(0x7fc00000)).toBe(0x7e00);
    expect(f32BitsToF16Bits(0x7f800001)).toBe(0x7e00); // payload lost below the kept bits -> quiet NaN
    expect(f32BitsToBf16Bits(f32ToBits(1 + 2 ** -8))).toBe(0x3f80);
    expect(f32BitsToBf16Bits(f32ToBits(1 + 3 * 2 ** -8))).toBe(0x3f82);
    expect(f32BitsToBf16Bits(0x7f7fffff)).toBe(0x7f80); // f32 max rounds up to inf
    expect(f32BitsToBf16Bits(0xff800001)).toBe(0xffc0);
  });
});
