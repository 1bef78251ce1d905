// Elementwise ops against float64 CPU twins: every entry of the op table (UNARY_OPS, BINARY_OPS,
// COMPARE_OPS — a new entry without a twin here fails), forward and gradient, broadcasting, numbers
// on either side, int32 variants, where / clamp / cast, and NaN propagation.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { BINARY_OPS, COMPARE_OPS, UNARY_OPS, type BinaryOpName, type CompareOpName, type UnaryOpName } from '../../src/ops/elementwise-table.js';
import { Checks, thrown, toTensor, type Tolerance } from './helpers/check.js';
import { gradCheck } from './helpers/grad-check.js';
import * as ref from './helpers/ref.js';
import { Rng } from './helpers/rng.js';

type Arr = ref.Arr;
type OpFn = (...args: unknown[]) => ps.Tensor;
const opFn = (name: string): OpFn => {
  const fn = (ps as unknown as Record<string, unknown>)[name];
  if (typeof fn !== 'function') throw new Error(`ps.${name} is not exported, but '${name}' is in the op table`);
  return fn as OpFn;
};

// 7·37 = 259 elements: more than one 256-wide workgroup, not a multiple of it.
const SHAPE = [7, 37];

interface UnaryRef {
  f: (x: number) => number;
  /** Derivative; omitted where the table has no gradient (piecewise constant: the gradient is 0). */
  df?: (x: number) => number;
  /** Inputs (float32-representable) where f is smooth. */
  inputs: (rng: Rng) => Arr;
  /** Forward tolerance (WGSL's accuracy for the builtin, with margin). */
  tol?: Tolerance;
  /** Gradient tolerance (default from `tol`). */
  gtol?: Tolerance;
  /** Integer twin, where the table defines an int32 expression. */
  int?: (x: number) => number;
}

const tiny = (rng: Rng, a: Arr): Arr => {
  // Replace a few entries with tiny magnitudes, where expm1/log1p must not cancel.
  const data = Float64Array.from(a.data);
  for (let i = 0; i < 12; i++) data[rng.int(0, data.length)] = Math.fround((rng.next() < 0.5 ? -1 : 1) * 10 ** rng.uniform(-7, -3));
  return { data, shape: a.shape };
};

const withHalves = (a: Arr): Arr => {
  const data = Float64Array.from(a.data);
  [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -3.5, 0.49999997, -0.49999997].forEach((v, i) => (data[i * 7] = v));
  return { data, shape: a.shape };
};

const TRANSCENDENTAL: Tolerance = { rtol: 1e-5, atol: 1e-6 };
// WGSL promises sin/cos only to an absolute 2^-11 on [-π, π] (SwiftShader is ~2e-4 off).
const TRIG: Tolerance = { rtol: 1e-5, atol: 2 ** -11 };

const UNARY_REF: Record<UnaryOpName, UnaryRef> = {
  neg: { f: (x) => -x, df: () => -1, inputs: (r) => r.array(SHAPE, -3, 3), int: (x) => -x },
  abs: { f: Math.abs, df: Math.sign, inputs: (r) => r.awayFromZero(SHAPE, 0.01, 3), int: Math.abs },
  sign: { f: Math.sign, inputs: (r) => r.awayFromZero(SHAPE, 0.01, 3), int: Math.sign },
  square: { f: (x) => x * x, df: (x) => 2 * x, inputs: (r) => r.array(SHAPE, -3, 3), int: (x) => x * x },
  sqrt: { f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x), inputs: (r) => r.array(SHAPE, 0.05, 5), tol: TRANSCENDENTAL },
  rsqrt: { f: (x) => 1 / Math.sqrt(x), df: (x) => -0.5 * x ** -1.5, inputs: (r) => r.array(SHAPE, 0.05, 5), tol: TRANSCENDENTAL },
  reciprocal: { f: (x) => 1 / x, df: (x) => -1 / (x * x), inputs: (r) => r.awayFromZero(SHAPE, 0.2, 3), tol: TRANSCENDENTAL },
  exp: { f: Math.exp, df: Math.exp, inputs: (r) => r.array(SHAPE, -4, 4), tol: TRANSCENDENTAL },
  expm1: { f: Math.expm1, df: Math.exp, inputs: (r) => tiny(r, r.array(SHAPE, -2, 2)), tol: TRANSCENDENTAL },
  log: { f: Math.log, df: (x) => 1 / x, inputs: (r) => r.array(SHAPE, 0.05, 5), tol: TRANSCENDENTAL },
  log1p: { f: Math.log1p, df: (x) => 1 / (1 + x), inputs: (r) => tiny(r, r.array(SHAPE, -0.9, 3)), tol: TRANSCENDENTAL },
  sin: { f: Math.sin, df: Math.cos, inputs: (r) => r.array(SHAPE, -3, 3), tol: TRIG, gtol: TRIG },
  cos: { f: Math.cos, df: (x) => -Math.sin(x), inputs: (r) => r.array(SHAPE, -3, 3), tol: TRIG, gtol: TRIG },
  relu: { f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0), inputs: (r) => r.awayFromZero(SHAPE, 0.01, 3), int: (x) => Math.max(x, 0) },
  sigmoid: { f: ref.sigmoid, df: (x) => ref.sigmoid(x) * (1 - ref.sigmoid(x)), inputs: (r) => r.array(SHAPE, -9, 9), tol: TRANSCENDENTAL },
  tanh: { f: Math.tanh, df: (x) => 1 - Math.tanh(x) ** 2, inputs: (r) => r.array(SHAPE, -5, 5), tol: TRANSCENDENTAL },
  softplus: { f: ref.softplus, df: (x) => (x > 20 ? 1 : ref.sigmoid(x)), inputs: (r) => r.array(SHAPE, -25, 25), tol: TRANSCENDENTAL },
  floor: { f: Math.floor, inputs: (r) => r.array(SHAPE, -4, 4), int: (x) => x },
  ceil: { f: Math.ceil, inputs: (r) => r.array(SHAPE, -4, 4), int: (x) => x },
  round: { f: ref.roundHalfEven, inputs: (r) => withHalves(r.array(SHAPE, -4, 4)), int: (x) => x },
};

interface BinaryRef {
  f: (a: number, b: number) => number;
  dfa: (a: number, b: number) => number;
  dfb: (a: number, b: number) => number;
  a: (rng: Rng, shape: number[]) => Arr;
  b: (rng: Rng, shape: number[]) => Arr;
  /** A number operand that lies in the op's domain, for `op(x, s)` and `op(s, x)`. */
  scalar: number;
  tol?: Tolerance;
  int?: (a: number, b: number) => number;
}

const any = (r: Rng, s: number[]): Arr => r.array(s, -3, 3);
const positive = (r: Rng, s: number[]): Arr => r.array(s, 0.3, 3);

const BINARY_REF: Record<BinaryOpName, BinaryRef> = {
  add: { f: (a, b) => a + b, dfa: () => 1, dfb: () => 1, a: any, b: any, scalar: 2.5, int: (a, b) => a + b },
  sub: { f: (a, b) => a - b, dfa: () => 1, dfb: () => -1, a: any, b: any, scalar: 2.5, int: (a, b) => a - b },
  mul: { f: (a, b) => a * b, dfa: (_a, b) => b, dfb: (a) => a, a: any, b: any, scalar: 2.5, int: (a, b) => a * b },
  div: { f: (a, b) => a / b, dfa: (_a, b) => 1 / b, dfb: (a, b) => -a / (b * b), a: any, b: (r, s) => r.awayFromZero(s, 0.3, 3), scalar: 2.5, tol: TRANSCENDENTAL },
  pow: {
    f: (a, b) => a ** b,
    dfa: (a, b) => b * a ** (b - 1),
    dfb: (a, b) => a ** b * Math.log(a),
    a: positive,
    b: (r, s) => r.array(s, -2, 2),
    scalar: 1.7,
    tol: { rtol: 3e-5, atol: 1e-6 },
  },
  // Distinct values almost everywhere (ties are tested separately).
  minimum: { f: Math.min, dfa: (a, b) => (a < b ? 1 : 0), dfb: (a, b) => (b < a ? 1 : 0), a: any, b: any, scalar: 0.25, int: Math.min },
  maximum: { f: Math.max, dfa: (a, b) => (a > b ? 1 : 0), dfb: (a, b) => (b > a ? 1 : 0), a: any, b: any, scalar: 0.25, int: Math.max },
};

const COMPARE_REF: Record<CompareOpName, (a: number, b: number) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
};

/** Σ w·y over a broadcast result, in float64; and its gradient pieces. */
const weightedSum = (y: Arr, w: Arr): number => ref.dot(y.data, w.data);

beforeAll(async () => {
  await ps.init();
});

describe('op table coverage', () => {
  it('every table entry has a CPU twin here and a public function', () => {
    expect(Object.keys(UNARY_REF).sort()).toEqual(Object.keys(UNARY_OPS).sort());
    expect(Object.keys(BINARY_REF).sort()).toEqual(Object.keys(BINARY_OPS).sort());
    expect(Object.keys(COMPARE_REF).sort()).toEqual(Object.keys(COMPARE_OPS).sort());
    for (const name of [...Object.keys(UNARY_OPS), ...Object.keys(BINARY_OPS), ...Object.keys(COMPARE_OPS)]) {
      expect(typeof opFn(name)).toBe('function');
    }
  });
});

describe('unary ops', () => {
  for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
    const twin = UNARY_REF[name];
    const def: { grad?: string; int?: string } = UNARY_OPS[name];
    it(`${name}: forward and gradient vs float64`, async () => {
      const rng = new Rng(1000 + name.length * 31 + name.charCodeAt(0));
      const x = twin.inputs(rng);
      const w = rng.array(SHAPE, -1, 1);
      const fn = opFn(name);
      const checks = new Checks();
      ps.tidy(() => {
        const xt = toTensor(x);
        checks.add(`${name} forward`, fn(xt), ref.map1(x, twin.f), twin.tol ?? { rtol: 1e-6, atol: 1e-7 });
        xt.dispose();
        // Ops without a gradient expression are piecewise constant: their gradient is zero.
        expect(def.grad === undefined).toBe(twin.df === undefined);
        const df = twin.df ?? (() => 0);
        const fsum = (xa: Arr): number => ref.dot(xa.data.map(twin.f), w.data);
        // (Finite differences need smooth points: the half-integers given to round are kinks.)
        const xg = twin.df ? x : rng.array(SHAPE, -4, 4);
        gradCheck(checks, {
          what: name,
          inputs: [xg],
          gpu: (xs) => ps.sum(ps.mul(fn(xs), toTensor(w))),
          cpu: fsum,
          cpuGrad: (xa) => [ref.map2(xa, w, (v, wv) => df(v) * wv)],
          tol: twin.gtol ?? (twin.tol ? { rtol: 2e-5 } : { rtol: 2e-6 }),
          valueTol: { rtol: 1e-5, atol: 1e-5 * ref.dot(xg.data.map((v) => Math.abs(twin.f(v))), w.data.map(Math.abs)) },
          gpuFd: twin.df && name !== 'softplus' ? { samples: 3, eps: 1e-3 } : undefined,
        });
      });
      await checks.run();
    });

    if (def.int !== undefined) {
      it(`${name}: int32`, async () => {
        const x = ref.arr([-7, -3, -2, -1, 0, 1, 2, 3, 5, 46340, -46340, 30000], [3, 4]);
        const checks = new Checks();
        ps.tidy(() => {
          checks.add(`${name} int32`, opFn(name)(toTensor(x, 'int32')), ref.map1(x, twin.int!), { rtol: 0, atol: 0, dtype: 'int32' });
        });
        await checks.run();
      });
    } else {
      it(`${name}: int32 input is a TypeError naming the op`, () => {
        const x = ps.tensor(new Int32Array([1, 2, 3]));
        const err = thrown(() => opFn(name)(x));
        x.dispose();
        expect(err).toBeInstanceOf(TypeError);
        expect(err.message).toMatch(new RegExp(`^${name}: not defined for int32`));
      });
    }
  }
});

describe('binary ops', () => {
  for (const name of Object.keys(BINARY_OPS) as BinaryOpName[]) {
    const twin = BINARY_REF[name];
    const fn = opFn(name);
    const tol = twin.tol ?? { rtol: 1e-6, atol: 1e-7 };
    const gtol = { rtol: twin.tol ? 3e-5 : 3e-6 };

    it(`${name}: broadcast [13,1,5] with [17,1], forward and both gradients`, async () => {
      const rng = new Rng(2000 + name.charCodeAt(0) * 7 + name.length);
      const a = twin.a(rng, [13, 1, 5]);
      const b = twin.b(rng, [17, 1]);
      const w = rng.array([13, 17, 5], -1, 1);
      const checks = new Checks();
      ps.tidy(() => {
        const [at, bt] = [toTensor(a), toTensor(b)];
        checks.add(`${name} forward`, fn(at, bt), ref.map2(a, b, twin.f), tol);
        // and with the broadcasting the other way round
        const a2 = twin.a(rng, [17, 1]);
      const b2 = twin.b(rng, [13, 1, 5]);
      checks.add(`${name} forward (ranks swapped)`, fn(toTensor(a2), toTensor(b2)), ref.map2(a2, b2, twin.f), tol);
        at.dispose();
        bt.dispose();
        gradCheck(checks, {
          what: name,
          inputs: [a, b],
          gpu: (x, y) => ps.sum(ps.mul(fn(x, y), toTensor(w))),
          cpu: (x, y) => weightedSum(ref.map2(x, y, twin.f), w),
          cpuGrad: (x, y) => [
            ref.sumToShape(ref.mapN([x, y, w], (u, v, wv) => twin.dfa(u, v) * wv), x.shape),
            ref.sumToShape(ref.mapN([x, y, w], (u, v, wv) => twin.dfb(u, v) * wv), y.shape),
          ],
          tol: gtol,
          valueTol: { rtol: 1e-5, atol: 1e-4 },
          fdSample: 8,
          gpuFd: name === 'minimum' || name === 'maximum' ? undefined : { samples: 2, eps: 1e-3 },
        });
      });
      await checks.run();
    });

    it(`${name}: a number on either side`, async () => {
      const rng = new Rng(3000 + name.length);
      const s = twin.scalar;
      const x = twin.a(rng, [5, 11]);
      const xb = twin.b(rng, [5, 11]);
      const w = rng.array([5, 11], -1, 1);
      const sArr = ref.arr([s], []);
      const checks = new Checks();
      ps.tidy(() => {
        checks.add(`${name}(x, ${s})`, fn(toTensor(x), s), ref.map1(x, (v) => twin.f(v, s)), tol);
        checks.add(`${name}(${s}, x)`, fn(s, toTensor(xb)), ref.map1(xb, (v) => twin.f(s, v)), tol);
        gradCheck(checks, {
          what: `${name}(x, ${s})`,
          inputs: [x],
          gpu: (xs) => ps.sum(ps.mul(fn(xs, s), toTensor(w))),
          cpu: (xa) => weightedSum(ref.map2(xa, sArr, twin.f), w),
          cpuGrad: (xa) => [ref.mapN([xa, w], (v, wv) => twin.dfa(v, s) * wv)],
          tol: gtol,
          valueTol: { rtol: 1e-5, atol: 1e-5 },
        });
        gradCheck(checks, {
          what: `${name}(${s}, x)`,
          inputs: [xb],
          gpu: (xs) => ps.sum(ps.mul(fn(s, xs), toTensor(w))),
          cpu: (xa) => weightedSum(ref.map2(sArr, xa, twin.f), w),
          cpuGrad: (xa) => [ref.mapN([xa, w], (v, wv) => twin.dfb(s, v) * wv)],
          tol: gtol,
          valueTol: { rtol: 1e-5, atol: 1e-5 },
        });
      });
      await checks.run();
    });

    if (twin.int) {
      it(`${name}: int32 tensors and integer numbers`, async () => {
        const rng = new Rng(4000 + name.length);
        const a = rng.intArray([6, 1, 3], -50, 50);
        const b = rng.intArray([4, 1], -50, 50);
        const checks = new Checks();
        ps.tidy(() => {
          const exact = { rtol: 0, atol: 0, dtype: 'int32' as const };
          checks.add(`${name} int32 broadcast`, fn(toTensor(a, 'int32'), toTensor(b, 'int32')), ref.map2(a, b, twin.int!), exact);
          checks.add(`${name}(int32, 7)`, fn(toTensor(a, 'int32'), 7), ref.map1(a, (v) => twin.int!(v, 7)), exact);
          checks.add(`${name}(-3, int32)`, fn(-3, toTensor(b, 'int32')), ref.map1(b, (v) => twin.int!(-3, v)), exact);
        });
        await checks.run();
        const t = ps.tensor(new Int32Array([1, 2]));
        const err = thrown(() => fn(t, 0.5));
        expect(err.message).toMatch(new RegExp(`^${name}: cannot combine an int32 tensor with the non-integer 0.5`));
        t.dispose();
      });
    } else {
      it(`${name}: int32 tensors are a TypeError naming the op`, () => {
        const t = ps.tensor(new Int32Array([1, 2]));
        const err = thrown(() => fn(t, t));
        t.dispose();
        expect(err).toBeInstanceOf(TypeError);
        expect(err.message).toMatch(new RegExp(`^${name}: not defined for int32`));
      });
    }
  }

  it('pow: negative bases with integral exponents, zero base, exponent 0 (PyTorch semantics)', async () => {
    const a = ref.arr([-2, -2, -1.5, -3, 0, 0, 0, 2, -2, 5, 0], [11]);
    const b = ref.arr([3, 2, -1, 0, 2, 0, 0.5, 0, 0.5, -1, -1], [11]);
    const checks = new Checks();
    ps.tidy(() => {
      // (-2)^0.5 is NaN, 0^-1 is +Inf, as in torch.pow.
      checks.add('pow', ps.pow(toTensor(a), toTensor(b)), [-8, 4, -1 / 1.5, 1, 0, 1, 0, 1, NaN, 0.2, Infinity], { rtol: 1e-6, atol: 1e-7 });
      // Gradients: d/da = b·a^(b-1), 0 where b = 0; d/db = a^b·ln a, 0 where a = 0 and b ≥ 0.
      const [ga, gb] = ps.grad((x: ps.Tensor, y: ps.Tensor) => ps.sum(ps.pow(x, y)), { argnums: [0, 1] })(toTensor(ref.arr([2, 0, 0, 3], [4])), toTensor(ref.arr([3, 2, 0, 0], [4]))) as ps.Tensor[];
      checks.add('pow grad a', ga!, [12, 0, 0, 0]);
      checks.add('pow grad b', gb!, [8 * Math.log(2), 0, 0, Math.log(3)], { rtol: 1e-5, atol: 1e-6 });
    });
    await checks.run();
  });

  it('minimum/maximum: ties split the gradient in half', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      for (const name of ['minimum', 'maximum'] as const) {
        const [ga, gb] = ps.grad((x: ps.Tensor, y: ps.Tensor) => ps.sum(ps[name](x, y)), { argnums: [0, 1] })(
          ps.tensor([1, 2, 3, 4]),
          ps.tensor([1, 5, 3, 0]),
        ) as ps.Tensor[];
        const lowWins = name === 'minimum';
        checks.add(`${name} ties grad a`, ga!, [0.5, lowWins ? 1 : 0, 0.5, lowWins ? 0 : 1]);
        checks.add(`${name} ties grad b`, gb!, [0.5, lowWins ? 0 : 1, 0.5, lowWins ? 1 : 0]);
      }
    });
    await checks.run();
  });

  it('a tensor combined with itself (x·x, x - x) accumulates both gradients', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = ps.tensor([1.5, -2, 3]);
      checks.add('d/dx Σ x·x', ps.grad((t: ps.Tensor) => ps.sum(ps.mul(t, t)))(x) as ps.Tensor, [3, -4, 6]);
      checks.add('d/dx Σ x - x', ps.grad((t: ps.Tensor) => ps.sum(ps.sub(t, t)))(x) as ps.Tensor, [0, 0, 0]);
      checks.add('d/dx Σ x / x', ps.grad((t: ps.Tensor) => ps.sum(ps.div(t, t)))(x) as ps.Tensor, [0, 0, 0]);
      x.dispose();
    });
    await checks.run();
  });

  it('large broadcast [67,1,5] with [129,1]: add and mul, forward and gradients', async () => {
    const rng = new Rng(5);
    const a = rng.array([67, 1, 5]);
    const b = rng.array([129, 1]);
    const w = rng.array([67, 129, 5]);
    const checks = new Checks();
    ps.tidy(() => {
      for (const name of ['add', 'mul'] as const) {
        const twin = BINARY_REF[name];
        checks.add(`${name} forward`, ps[name](toTensor(a), toTensor(b)), ref.map2(a, b, twin.f), { rtol: 1e-6, atol: 1e-7 });
        gradCheck(checks, {
          what: `${name} [67,1,5]·[129,1]`,
          inputs: [a, b],
          gpu: (x, y) => ps.sum(ps.mul(ps[name](x, y), toTensor(w))),
          cpu: (x, y) => weightedSum(ref.map2(x, y, twin.f), w),
          cpuGrad: (x, y) => [
            ref.sumToShape(ref.mapN([x, y, w], (u, v, wv) => twin.dfa(u, v) * wv), x.shape),
            ref.sumToShape(ref.mapN([x, y, w], (u, v, wv) => twin.dfb(u, v) * wv), y.shape),
          ],
          tol: { rtol: 2e-5 },
          valueTol: { rtol: 1e-4, atol: 1e-3 },
          fdSample: 2,
        });
      }
    });
    await checks.run();
  });
});

describe('comparisons', () => {
  for (const name of Object.keys(COMPARE_OPS) as CompareOpName[]) {
    it(`${name}: broadcasting, ties, numbers, int32; float32 0/1 output`, async () => {
      const twin = COMPARE_REF[name];
      const rng = new Rng(6000 + name.length);
      // Small integers as floats: many ties.
      const a = rng.intArray([5, 1, 4], -2, 3);
      const b = rng.intArray([3, 1], -2, 3);
      const fn = opFn(name);
      const as01 = (f: (u: number, v: number) => boolean) => (u: number, v: number) => (f(u, v) ? 1 : 0);
      const checks = new Checks();
      ps.tidy(() => {
        const exact = { rtol: 0, atol: 0, dtype: 'float32' as const };
        checks.add(`${name} float`, fn(toTensor(a), toTensor(b)), ref.map2(a, b, as01(twin)), exact);
        checks.add(`${name} int32`, fn(toTensor(a, 'int32'), toTensor(b, 'int32')), ref.map2(a, b, as01(twin)), exact);
        checks.add(`${name}(x, 1)`, fn(toTensor(a), 1), ref.map1(a, (v) => (twin(v, 1) ? 1 : 0)), exact);
        checks.add(`${name}(1, x)`, fn(1, toTensor(a)), ref.map1(a, (v) => (twin(1, v) ? 1 : 0)), exact);
        checks.add(`${name} with NaN`, fn(ps.tensor([NaN, 1, NaN]), ps.tensor([1, NaN, NaN])), [0, 0, 0].map((_, i) => (twin([NaN, 1, NaN][i]!, [1, NaN, NaN][i]!) ? 1 : 0)), exact);
        // Comparisons have no gradient: the input gets zeros.
        checks.add(`${name} grad`, ps.grad((x: ps.Tensor) => ps.sum(fn(x, 0)))(toTensor(a)) as ps.Tensor, new Float64Array(a.data.length));
      });
      await checks.run();
    });
  }
});

describe('where, clamp, cast', () => {
  it('where: broadcasting cond/a/b, float and int32 conditions, numbers, gradients', async () => {
    const rng = new Rng(77);
    const cond = ref.arr([1, 0, -2, 0, 0.5, 0, 1], [7, 1]);
    const a = rng.array([7, 3]);
    const b = rng.array([3]);
    const w = rng.array([7, 3]);
    const pick = (c: number, u: number, v: number) => (c !== 0 ? u : v);
    const checks = new Checks();
    ps.tidy(() => {
      checks.add('where float cond', ps.where(toTensor(cond), toTensor(a), toTensor(b)), ref.mapN([cond, a, b], pick));
      checks.add('where int cond', ps.where(toTensor(ref.arr([1, 0, -2, 0, 5, 0, 1], [7, 1]), 'int32'), toTensor(a), toTensor(b)), ref.mapN([cond, a, b], pick));
      checks.add('where(c, x, 2.5)', ps.where(toTensor(cond), toTensor(a), 2.5), ref.mapN([cond, a], (c, u) => pick(c, u, 2.5)));
      checks.add('where(c, -1, x)', ps.where(toTensor(cond), -1, toTensor(b)), ref.mapN([cond, b], (c, v) => pick(c, -1, v)));
      checks.add('where(c, 1, 0)', ps.where(toTensor(cond), 1, 0), ref.map1(cond, (c) => pick(c, 1, 0)));
      checks.add(
        'where int32 branches',
        ps.where(toTensor(cond), toTensor(ref.arr([1, 2, 3], [3]), 'int32'), -4),
        ref.mapN([cond, ref.arr([1, 2, 3], [3])], (c, u) => pick(c, u, -4)),
        { dtype: 'int32' },
      );
      gradCheck(checks, {
        what: 'where',
        inputs: [a, b],
        gpu: (x, y) => ps.sum(ps.mul(ps.where(toTensor(cond), x, y), toTensor(w))),
        cpu: (x, y) => weightedSum(ref.mapN([cond, x, y], pick), w),
        cpuGrad: (x, y) => [
          ref.sumToShape(ref.mapN([cond, x, w], (c, _u, wv) => (c !== 0 ? wv : 0)), x.shape),
          ref.sumToShape(ref.mapN([cond, x, y, w], (c, _u, _v, wv) => (c !== 0 ? 0 : wv)), y.shape),
        ],
      });
    });
    await checks.run();
  });

  it('clamp: min only, max only, both; gradient 1 on the closed interval; int32', async () => {
    const x = ref.arr([-3, -1, -0.5, 0, 0.25, 0.5, 1, 2.5], [2, 4]);
    const clampRef = (v: number, lo: number | null, hi: number | null) => Math.min(hi ?? Infinity, Math.max(lo ?? -Infinity, v));
    const inside = (v: number, lo: number | null, hi: number | null) => ((lo === null || v >= lo) && (hi === null || v <= hi) ? 1 : 0);
    const checks = new Checks();
    ps.tidy(() => {
      for (const [lo, hi] of [[-0.5, 1], [-0.5, null], [null, 0.5], [0.25, 0.25]] as [number | null, number | null][]) {
        checks.add(`clamp(${lo}, ${hi})`, ps.clamp(toTensor(x), lo, hi), ref.map1(x, (v) => clampRef(v, lo, hi)));
        checks.add(`clamp(${lo}, ${hi}) grad`, ps.grad((t: ps.Tensor) => ps.sum(ps.clamp(t, lo, hi)))(toTensor(x)) as ps.Tensor, ref.map1(x, (v) => inside(v, lo, hi)));
      }
      checks.add('clamp int32', ps.clamp(toTensor(ref.arr([-5, 0, 3, 9], [4]), 'int32'), -2, 4), [-2, 0, 3, 4], { dtype: 'int32' });
      checks.add('x.clamp method', toTensor(x).clamp(0, 1), ref.map1(x, (v) => clampRef(v, 0, 1)));
    });
    await checks.run();
    const t = ps.tensor([1, 2]);
    expect(thrown(() => ps.clamp(t, 2, 1)).message).toMatch(/^clamp: min 2 is greater than max 1/);
    expect(thrown(() => ps.clamp(t)).message).toMatch(/^clamp:/);
    expect(thrown(() => ps.clamp(t, NaN)).message).toMatch(/^clamp:.*NaN/);
    t.dispose();
  });

  it('cast: float32 → int32 truncates toward zero; int32 → float32; same-dtype cast passes the gradient', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const f = ps.tensor([-2.7, -0.5, 0.5, 2.7, 3, -3, 1e6 + 0.5]);
      const i = ps.cast(f, 'int32');
      expect(i.dtype).toBe('int32');
      checks.add('float→int', i, [-2, 0, 0, 2, 3, -3, 1000000], { dtype: 'int32', rtol: 0, atol: 0 });
      const back = ps.cast(ps.tensor(new Int32Array([-7, 0, 16777217, 5])), 'float32');
      checks.add('int→float', back, [-7, 0, 16777216, 5], { dtype: 'float32', rtol: 0, atol: 0 });
      checks.add('cast same dtype grad', ps.grad((t: ps.Tensor) => ps.sum(ps.mul(ps.cast(t, 'float32'), 3)))(f) as ps.Tensor, new Array(7).fill(3));
      f.dispose();
    });
    await checks.run();
  });
});

describe('NaN propagates, nothing is clamped silently', () => {
  it('every unary op of the table maps NaN to NaN (and leaves its neighbours alone)', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const values = [NaN, 0.5, NaN, 2];
      const x = ps.tensor(values);
      for (const name of Object.keys(UNARY_OPS) as UnaryOpName[]) {
        const f = UNARY_REF[name].f;
        checks.add(`${name}(NaN)`, opFn(name)(x), values.map((v) => (Number.isNaN(v) ? NaN : f(v))), { rtol: 1e-5, atol: 2 ** -11 });
      }
    });
    await checks.run();
  });

  it('pow: NaN propagates except 1^NaN = NaN^0 = 1 (C, PyTorch)', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      checks.add('pow with NaN', ps.pow(ps.tensor([NaN, 2, NaN, 1, -2, NaN]), ps.tensor([2, NaN, 0, NaN, NaN, NaN])), [NaN, NaN, 1, 1, NaN, NaN]);
      checks.add('pow(NaN, 3)', ps.pow(ps.tensor([NaN, 2]), 3), [NaN, 8]);
      checks.add('pow(2, NaN)', ps.pow(2, ps.tensor([NaN, 3])), [NaN, 8]);
    });
    await checks.run();
  });

  it('relu, minimum/maximum, clamp, sum, mean, max/min, abs, exp, add, mul, where with NaN', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = ps.tensor([NaN, -1, 2, NaN, 0]);
      const nanAt = (pattern: number[]) => pattern.map((v) => (v === 1 ? NaN : 0));
      const isNanMask = (values: number[], mask: number[]) => values.map((v, i) => (mask[i] ? NaN : v));
      checks.add('relu(NaN)', ps.relu(x), isNanMask([0, 0, 2, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('abs(NaN)', ps.abs(x), isNanMask([0, 1, 2, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('exp(NaN)', ps.exp(x), isNanMask([0, Math.exp(-1), Math.exp(2), 0, 1], [1, 0, 0, 1, 0]), { rtol: 1e-5 });
      checks.add('x + 1', ps.add(x, 1), isNanMask([0, 0, 3, 0, 1], [1, 0, 0, 1, 0]));
      checks.add('x * 0', ps.mul(x, 0), isNanMask([0, -0, 0, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('minimum(NaN, 1)', ps.minimum(x, 1), isNanMask([0, -1, 1, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('minimum(1, NaN)', ps.minimum(1, x), isNanMask([0, -1, 1, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('maximum(NaN, 1)', ps.maximum(x, 1), isNanMask([0, 1, 2, 0, 1], [1, 0, 0, 1, 0]));
      checks.add('maximum(1, NaN)', ps.maximum(1, x), isNanMask([0, 1, 2, 0, 1], [1, 0, 0, 1, 0]));
      checks.add('maximum(NaN, -Inf)', ps.maximum(x, -Infinity), isNanMask([0, -1, 2, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('clamp(NaN, 0, 1)', ps.clamp(x, 0, 1), isNanMask([0, 0, 1, 0, 0], [1, 0, 0, 1, 0]));
      checks.add('sigmoid(NaN)', ps.sigmoid(x), isNanMask([0, ref.sigmoid(-1), ref.sigmoid(2), 0, 0.5], [1, 0, 0, 1, 0]), { rtol: 1e-5 });
      checks.add('tanh(NaN)', ps.tanh(x), isNanMask([0, Math.tanh(-1), Math.tanh(2), 0, 0], [1, 0, 0, 1, 0]), { rtol: 1e-5 });
      checks.add('softplus(NaN)', ps.softplus(x), isNanMask([0, ref.softplus(-1), ref.softplus(2), 0, Math.LN2], [1, 0, 0, 1, 0]), { rtol: 1e-5 });
      checks.add('where(c, NaN, 0)', ps.where(ps.tensor([1, 0, 1, 0, 1]), x, 0), isNanMask([0, 0, 2, 0, 0], [1, 0, 0, 0, 0]));
      checks.add('sum with NaN', ps.sum(x), [NaN]);
      checks.add('mean with NaN', ps.mean(x), [NaN]);
      checks.add('max with NaN', ps.max(x), [NaN]);
      checks.add('min with NaN', ps.min(x), [NaN]);
      // NaN in one row only poisons that row, in every reduction kernel variant.
      const rows = ref.arr([1, NaN, 3, 4, 5, 6], [2, 3]);
      checks.add('max rows', ps.max(toTensor(rows), 1), [NaN, 6]);
      checks.add('min columns', ps.min(toTensor(rows), 0), [1, NaN, 3]);
      checks.add('sum rows', ps.sum(toTensor(rows), 1), [NaN, 15]);
      const longRow = new Float32Array(5000).fill(1);
      longRow[4321] = NaN;
      checks.add('max of a long row (two-pass)', ps.max(ps.tensor(longRow)), [NaN]);
      checks.add('sum of a long row (two-pass)', ps.sum(ps.tensor(longRow)), [NaN]);
      const wide = new Float32Array(2 * 300).fill(-1);
      wide[450] = NaN;
      checks.add('max of [2,300] rows (per-workgroup)', ps.max(ps.tensor(wide, [2, 300]), 1), [-1, NaN]);
      checks.add('argmax picks the NaN (PyTorch)', ps.argmax(x), [0], { dtype: 'int32' });
      checks.add('NaN literal', ps.full([2], NaN), nanAt([1, 1]));
    });
    await checks.run();
  });
});
