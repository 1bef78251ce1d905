/**
 * `np.sum` of a contiguous float64 vector, in numpy's summation order: pairwise summation with
 * 8 interleaved accumulators per block of ≤ 128 elements, halves above (checked against numpy 1.24).
 * Used where the reference normalises kernels by their numpy sum, so that weights (and therefore
 * results that land exactly on a quantisation step, e.g. blurred flat regions) match bit for bit.
 */
export function numpySum(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return 0;
  return pairwiseSum(values, 0, n);
}

function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = r[j]! + a[start + i + j]!;
    }
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}
