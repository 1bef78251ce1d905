/**
 * exp(x) rounded correctly (up to astronomically rare hard cases), like glibc's exp that numpy,
 * scipy and OpenCV call. V8's Math.exp can be one ulp off (e.g. exp(−1.3888888888888888)), and
 * kernel weights built from it then put blurred values on the other side of a floor(); this is
 * used for kernel weights only, never per pixel.
 *
 * x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite, ln2 = LN2_HI + LN2_LO, k·LN2_HI exact), exp(r) by a
 * Horner-form Taylor series in double-double arithmetic, rounded once, then scaled by 2^k.
 */

const LN2_HI = 6.93147180369123816490e-1; // 0x3FE62E42FEE00000: 21 trailing zero bits
const LN2_LO = 1.90821492927058770002e-10;
const SPLIT = 134217729; // 2^27 + 1 (Dekker)

type DD = [number, number];

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  return quickTwoSum(s, e + a[1] + b[1]);
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return quickTwoSum(p, e + (a[0] * b[1] + a[1] * b[0]));
}

function ddDivSmallInt(a: DD, n: number): DD {
  const q = a[0] / n;
  const [p, e] = twoProd(q, n);
  const r = (a[0] - p - e + a[1]) / n;
  return quickTwoSum(q, r);
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

export function exactExp(x: number): number {
  if (!Number.isFinite(x)) return Math.exp(x);
  if (x > 709.78) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.round(x / Math.LN2);
  const t = x - k * LN2_HI;
  const [p, pe] = twoProd(k, LN2_LO);
  const r = ddAdd([t, 0], [-p, -pe]);
  let sum: DD = [1, 0];
  for (let n = 27; n >= 1; n--) sum = ddAdd([1, 0], ddDivSmallInt(ddMul(r, sum), n));
  const m = sum[0] + sum[1];
  // 2^k in two steps keeps the scale representable near the ends of the range
  const half = Math.trunc(k / 2);
  return m * 2 ** half * 2 ** (k - half);
}
