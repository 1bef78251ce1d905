/**
 * libjpeg's "islow" integer DCTs (jfdctint.c, jidctint.c; the default JDCT_ISLOW that Pillow
 * uses): 13-bit fixed-point constants, 2 extra bits between the passes. Reproducing them, rather
 * than a float DCT, makes the round trip bit-exact with libjpeg(-turbo) (spec P9 allows ±1).
 *
 * Forward output is 8× the orthonormal DCT-II; quantisation divides by 8·Q (quantizeBlock).
 * Arithmetic is on doubles holding integers (exact: all magnitudes stay far below 2^53);
 * descale(x, n) = (x + 2^(n−1)) >> n, an arithmetic (flooring) shift.
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;

const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

const POW2 = Array.from({ length: 32 }, (_, i) => 2 ** i);

function descale(x: number, n: number): number {
  return Math.floor((x + POW2[n - 1]!) / POW2[n]!);
}

/** jpeg_fdct_islow, in place on 64 level-shifted samples (row-major). */
export function forwardDctIslow(d: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    // pass 0: rows (stride 1 within a row), pass 1: columns (stride 8)
    const stride = pass === 0 ? 1 : 8;
    const step = pass === 0 ? 8 : 1;
    for (let line = 0; line < 8; line++) {
      const o = line * step;
      const at = (k: number): number => d[o + k * stride]!;
      const tmp0 = at(0) + at(7);
      const tmp7 = at(0) - at(7);
      const tmp1 = at(1) + at(6);
      const tmp6 = at(1) - at(6);
      const tmp2 = at(2) + at(5);
      const tmp5 = at(2) - at(5);
      const tmp3 = at(3) + at(4);
      const tmp4 = at(3) - at(4);

      const tmp10 = tmp0 + tmp3;
      const tmp13 = tmp0 - tmp3;
      const tmp11 = tmp1 + tmp2;
      const tmp12 = tmp1 - tmp2;

      const oddShift = pass === 0 ? CONST_BITS - PASS1_BITS : CONST_BITS + PASS1_BITS;
      if (pass === 0) {
        d[o] = (tmp10 + tmp11) * 4; // << PASS1_BITS
        d[o + 4 * stride] = (tmp10 - tmp11) * 4; // << PASS1_BITS
      } else {
        d[o] = descale(tmp10 + tmp11, PASS1_BITS);
        d[o + 4 * stride] = descale(tmp10 - tmp11, PASS1_BITS);
      }
      const z1e = (tmp12 + tmp13) * FIX_0_541196100;
      d[o + 2 * stride] = descale(z1e + tmp13 * FIX_0_765366865, oddShift);
      d[o + 6 * stride] = descale(z1e + tmp12 * -FIX_1_847759065, oddShift);

      const z1 = (tmp4 + tmp7) * -FIX_0_899976223;
      const z2 = (tmp5 + tmp6) * -FIX_2_562915447;
      const z5 = (tmp4 + tmp6 + (tmp5 + tmp7)) * FIX_1_175875602;
      const z3 = (tmp4 + tmp6) * -FIX_1_961570560 + z5;
      const z4 = (tmp5 + tmp7) * -FIX_0_390180644 + z5;
      d[o + 7 * stride] = descale(tmp4 * FIX_0_298631336 + z1 + z3, oddShift);
      d[o + 5 * stride] = descale(tmp5 * FIX_2_053119869 + z2 + z4, oddShift);
      d[o + 3 * stride] = descale(tmp6 * FIX_3_072711026 + z2 + z3, oddShift);
      d[o + 1 * stride] = descale(tmp7 * FIX_1_501321110 + z1 + z4, oddShift);
    }
  }
}

/** libjpeg quantize(): round(|F|/(8Q)) half up, sign restored (jcdctmgr.c). */
export function quantizeBlock(d: Float64Array, table: Int32Array, out: Int32Array): void {
  for (let i = 0; i < 64; i++) {
    const q = table[i]! * 8;
    const v = d[i]!;
    const m = Math.floor((Math.abs(v) + Math.floor(q / 2)) / q);
    out[i] = v < 0 ? -m : m;
  }
}

/** jpeg_idct_islow: dequantise, inverse DCT, +128 and clamp to 0..255; writes 64 samples row-major. */
export function inverseDctIslow(coef: Int32Array, table: Int32Array, out: Uint8Array): void {
  const ws = new Float64Array(64);
  // pass 1: columns of dequantised coefficients → work array (scaled by 2^PASS1_BITS)
  for (let col = 0; col < 8; col++) {
    const dq = (row: number): number => coef[row * 8 + col]! * table[row * 8 + col]!;
    const [e0, e1, e2, e3] = evenPart(dq(0), dq(2), dq(4), dq(6));
    const [o0, o1, o2, o3] = oddPart(dq(7), dq(5), dq(3), dq(1));
    const shift = CONST_BITS - PASS1_BITS;
    ws[0 * 8 + col] = descale(e0 + o3, shift);
    ws[7 * 8 + col] = descale(e0 - o3, shift);
    ws[1 * 8 + col] = descale(e1 + o2, shift);
    ws[6 * 8 + col] = descale(e1 - o2, shift);
    ws[2 * 8 + col] = descale(e2 + o1, shift);
    ws[5 * 8 + col] = descale(e2 - o1, shift);
    ws[3 * 8 + col] = descale(e3 + o0, shift);
    ws[4 * 8 + col] = descale(e3 - o0, shift);
  }
  // pass 2: rows → samples
  const shift = CONST_BITS + PASS1_BITS + 3;
  const put = (i: number, v: number): void => {
    const s = descale(v, shift) + 128;
    out[i] = s < 0 ? 0 : s > 255 ? 255 : s;
  };
  for (let row = 0; row < 8; row++) {
    const w = (k: number): number => ws[row * 8 + k]!;
    const [e0, e1, e2, e3] = evenPart(w(0), w(2), w(4), w(6));
    const [o0, o1, o2, o3] = oddPart(w(7), w(5), w(3), w(1));
    put(row * 8 + 0, e0 + o3);
    put(row * 8 + 7, e0 - o3);
    put(row * 8 + 1, e1 + o2);
    put(row * 8 + 6, e1 - o2);
    put(row * 8 + 2, e2 + o1);
    put(row * 8 + 5, e2 - o1);
    put(row * 8 + 3, e3 + o0);
    put(row * 8 + 4, e3 - o0);
  }
}

/** Even part of jidctint: returns [tmp10, tmp11, tmp12, tmp13]. */
function evenPart(c0: number, c2: number, c4: number, c6: number): [number, number, number, number] {
  const z1 = (c2 + c6) * FIX_0_541196100;
  const tmp2 = z1 + c6 * -FIX_1_847759065;
  const tmp3 = z1 + c2 * FIX_0_765366865;
  const tmp0 = (c0 + c4) * 8192; // << CONST_BITS
  const tmp1 = (c0 - c4) * 8192; // << CONST_BITS
  return [tmp0 + tmp3, tmp1 + tmp2, tmp1 - tmp2, tmp0 - tmp3];
}

/** Odd part of jidctint on (c7, c5, c3, c1): returns [tmp0, tmp1, tmp2, tmp3]. */
function oddPart(c7: number, c5: number, c3: number, c1: number): [number, number, number, number] {
  const z5 = (c7 + c3 + (c5 + c1)) * FIX_1_175875602;
  const z1 = (c7 + c1) * -FIX_0_899976223;
  const z2 = (c5 + c3) * -FIX_2_562915447;
  const z3 = (c7 + c3) * -FIX_1_961570560 + z5;
  const z4 = (c5 + c1) * -FIX_0_390180644 + z5;
  return [
    c7 * FIX_0_298631336 + z1 + z3,
    c5 * FIX_2_053119869 + z2 + z4,
    c3 * FIX_3_072711026 + z2 + z3,
    c1 * FIX_1_501321110 + z1 + z4,
  ];
}
