// Past 65,535 workgroups in one dimension (the WebGPU per-dimension limit, so grids are folded into
// 2-D): an elementwise op, a reduction, a transpose, a random draw and a batched matmul on
// [65537, 257] (16.8M floats, 67 MB; 65,794 map workgroups, 65,537 reduction workgroups), every
// result element checked against the CPU formula.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { philox4x32 } from '../../src/random/philox.js';
import { expectClose } from './helpers/check.js';

const ROWS = 65537;
const COLS = 257;
const N = ROWS * COLS;

/** The input, from a formula: x[i] = (hash(i) mod 2^20) / 2^20 - 0.5, exact in float32. */
const valueAt = (i: number): number => ((Math.imul(i, 0x9e3779b1) >>> 12) / 1048576) - 0.5;

let x: ps.Tensor;

beforeAll(async () => {
  const rt = await ps.init();
  expect(Math.ceil(N / 256)).toBeGreaterThan(rt.limits.maxComputeWorkgroupsPerDimension!);
  const data = new Float32Array(N);
  for (let i = 0; i < N; i++) data[i] = valueAt(i);
  x = ps.tensor(data, [ROWS, COLS]);
});

afterAll(async () => {
  x?.dispose();
  await ps.flush();
  // Give the large buffers back instead of keeping them pooled for the rest of the suite.
  ps.runtime().pool.trim();
});

describe(`past 65,535 workgroups: [${ROWS}, ${COLS}] = ${N} elements`, () => {
  it('elementwise: 3x - 1 everywhere, including the last (partial) workgroup', async () => {
    const y = ps.tidy(() => ps.sub(ps.mul(x, 3), 1));
    const v = await y.data();
    y.dispose();
    let bad = -1;
    for (let i = 0; i < N; i++) {
      if (v[i] !== Math.fround(Math.fround(3 * valueAt(i)) - 1)) {
        bad = i;
        break;
      }
    }
    expect(bad).toBe(-1);
  }, 120_000);

  it('reduction: row sums and row maxima (one workgroup per row)', async () => {
    const s = ps.sum(x, 1);
    const m = ps.max(x, -1);
    const [sv, mv] = await Promise.all([s.data(), m.data()]);
    s.dispose();
    m.dispose();
    const sums = new Float64Array(ROWS);
    const maxima = new Float64Array(ROWS).fill(-Infinity);
    let absSum = 0;
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < COLS; c++) {
        const v = valueAt(r * COLS + c);
        sums[r] += v;
        absSum += Math.abs(v);
        if (v > maxima[r]!) maxima[r] = v;
      }
    }
    // |Σ| ≤ 257·0.5: float32 rounding stays below ~1e-5 absolute.
    expectClose(sv, sums, { rtol: 0, atol: 2e-5, what: 'row sums' });
    expectClose(mv, maxima, { rtol: 0, atol: 0, what: 'row maxima' });
    expect(absSum).toBeGreaterThan(0);
  }, 120_000);

  it(`transpose to [${COLS}, ${ROWS}]`, async () => {
    const t = ps.transpose(x);
    expect(t.shape).toEqual([COLS, ROWS]);
    const v = await t.data();
    t.dispose();
    let bad = -1;
    for (let c = 0; c < COLS && bad < 0; c++) {
      for (let r = 0; r < ROWS; r++) {
        if (v[c * ROWS + r] !== Math.fround(valueAt(r * COLS + c))) {
          bad = c * ROWS + r;
          break;
        }
      }
    }
    expect(bad).toBe(-1);
  }, 120_000);

  it('random.uniform over N elements matches the CPU Philox twin (sampled, including the tail)', async () => {
    const key = ps.random.key(2024);
    const u = ps.random.uniform(key, [N]);
    const v = await u.data();
    u.dispose();
    const words = new Uint32Array(4);
    const check = (i: number) => {
      const block = Math.floor(i / 4);
      philox4x32(block, 0, 0, 0, key.k0, key.k1, words);
      const expected = (words[i % 4]! >>> 8) * 2 ** -24;
      if (v[i] !== expected) throw new Error(`uniform[${i}] = ${v[i]}, expected ${expected}`);
    };
    for (let i = 0; i < N; i += 1009) check(i);
    for (let i = N - 3000; i < N; i++) check(i);
  }, 120_000);

  it('batched matmul with 65,600 batches (row tiles × batch folded over two grid dimensions)', async () => {
    const B = 65600;
    const a = new Float32Array(B * 2 * 3);
    const b = new Float32Array(B * 3 * 2);
    for (let i = 0; i < a.length; i++) a[i] = ((i * 7) % 11) - 5;
    for (let i = 0; i < b.length; i++) b[i] = ((i * 5) % 13) - 6;
    const at = ps.tensor(a, [B, 2, 3]);
    const bt = ps.tensor(b, [B, 3, 2]);
    const c = ps.matmul(at, bt);
    const v = await c.data();
    for (const t of [at, bt, c]) t.dispose();
    for (let n = 0; n < B; n++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          let acc = 0;
          for (let k = 0; k < 3; k++) acc += a[n * 6 + i * 3 + k]! * b[n * 6 + k * 2 + j]!;
          if (v[n * 4 + i * 2 + j] !== acc) throw new Error(`batch ${n} [${i},${j}]: ${v[n * 4 + i * 2 + j]} vs ${acc}`);
        }
      }
    }
  }, 120_000);
});
