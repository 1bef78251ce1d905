/**
 * IEEE-754 binary16 (F16) and bfloat16 (BF16) <-> binary32 conversions, done on bit patterns so
 * that NaN payloads survive (reading a NaN into a JS number may canonicalise it).
 *
 * - 16 -> 32 is exact for every input (subnormals, ±0, ±inf, NaN payloads).
 * - 32 -> 16 rounds to nearest, ties to even (what `torch.Tensor.half()` / `.bfloat16()` do for
 *   finite values). Overflow goes to ±inf. A NaN keeps the top mantissa bits of its payload, so
 *   16 -> 32 -> 16 is the identity on all 65536 patterns; a NaN whose kept bits are all zero
 *   becomes the quiet NaN (0x7e00 / 0x7fc0 with its sign).
 */

let f16Table: Uint32Array | undefined;

/** binary16 bit pattern -> binary32 bit pattern (exact). */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN (payload kept)
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // normal: rebias 15 -> 127
  if (mant === 0) return sign >>> 0; // ±0
  // Subnormal m·2^-24: shift the leading one up to the implicit-bit position.
  let e = 1;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | ((e + 112) << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/** binary32 bit pattern -> binary16 bit pattern, round to nearest even. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    if (mant === 0) return sign | 0x7c00;
    return sign | 0x7c00 | (mant >>> 13 || 0x200);
  }
  const e = exp - 112; // binary16 biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value = mant24 · 2^(exp-150) = m · 2^-24 with m = mant24 >> (14 - e).
    if (e < -10) return sign; // below half the smallest subnormal (the tie at e = -10 is handled below)
    const mant24 = mant | 0x800000;
    const shift = 14 - e; // 14..24
    let m = mant24 >>> shift;
    const rem = mant24 & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (m & 1) !== 0)) m++; // may carry into the smallest normal: still right
    return sign | m;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++; // a carry into the exponent is correct (up to inf)
  return h;
}

/** bfloat16 bit pattern -> binary32 bit pattern (exact: bf16 is the top half of an f32). */
export function bf16BitsToF32Bits(b: number): number {
  return (b << 16) >>> 0;
}

/** binary32 bit pattern -> bfloat16 bit pattern, round to nearest even. */
export function f32BitsToBf16Bits(x: number): number {
  x >>>= 0;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
    const top = x >>> 16;
    return (top & 0x7f) !== 0 ? top : top | 0x40;
  }
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff; // a carry into the exponent is correct (up to inf)
}

/** Decode binary16 patterns into float32 values. */
export function decodeF16(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  if (f16Table === undefined) {
    f16Table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToF32Bits(h);
  }
  const table = f16Table;
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = table[src[i]!]!;
  return out;
}

/** Decode bfloat16 patterns into float32 values. */
export function decodeBf16(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
  return out;
}

/** Encode float32 values as binary16 patterns (round to nearest even). */
export function encodeF16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16Bits(bits[i]!);
  return out;
}

/** Encode float32 values as bfloat16 patterns (round to nearest even). */
export function encodeBf16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToBf16Bits(bits[i]!);
  return out;
}
