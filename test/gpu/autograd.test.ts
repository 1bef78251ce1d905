// grad / valueAndGrad / noGrad: argnums, argument trees, reuse and accumulation, unused arguments,
// hasAux, tidy inside the differentiated function, and the errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, thrown } from './helpers/check.js';

beforeAll(async () => {
  await ps.init();
});

const T = (v: number[] | number[][], shape?: number[]) => ps.tensor(v.flat(), shape ?? (Array.isArray(v[0]) ? [v.length, (v[0] as number[]).length] : [v.length]));

describe('argnums and argument trees', () => {
  it('argnums: default 0, a number, an array (gives an array), non-tensor arguments elsewhere', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = T([1, 2, 3]);
      const y = T([4, 5, 6]);
      const f = (a: ps.Tensor, b: ps.Tensor) => ps.sum(ps.mul(ps.mul(a, a), b)); // Σ a²b
      checks.add('default argnums = 0: 2ab', ps.grad(f)(x, y) as ps.Tensor, [8, 20, 36]);
      checks.add('argnums 1: a²', ps.grad(f, { argnums: 1 })(x, y) as ps.Tensor, [1, 4, 9]);
      const both = ps.grad(f, { argnums: [0, 1] })(x, y);
      expect(Array.isArray(both)).toBe(true);
      const [ga, gb] = both as ps.Tensor[];
      checks.add('argnums [0, 1] → [2ab, a²]', ga!, [8, 20, 36]);
      checks.add('argnums [0, 1] second', gb!, [1, 4, 9]);
      const [gOnly] = ps.grad(f, { argnums: [1] })(x, y) as ps.Tensor[];
      checks.add('argnums [1] is a one-element array', gOnly!, [1, 4, 9]);
      const scaled = (s: number, a: ps.Tensor) => ps.sum(ps.mul(a, s));
      checks.add('a number argument not differentiated', ps.grad(scaled, { argnums: 1 })(2.5, x) as ps.Tensor, [2.5, 2.5, 2.5]);
      const [value, g] = ps.valueAndGrad(f)(x, y) as [ps.Tensor, ps.Tensor];
      checks.add('valueAndGrad value', value, [4 + 20 + 54]);
      checks.add('valueAndGrad grad', g, [8, 20, 36]);
    });
    await checks.run();
  });

  it('trees: arrays and (nested) objects of tensors get gradients of the same structure', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const params = { layer: { w: T([[1, 2], [3, 4]]), b: T([0.5, -0.5]) }, extra: [T([2])] };
      const x = T([1, -1]);
      // loss = Σ (w·x + b) · extra[0]
      const loss = (p: typeof params, input: ps.Tensor) => ps.sum(ps.mul(ps.add(ps.matmul(p.layer.w, input), p.layer.b), p.extra[0]!));
      const g = ps.grad(loss)(params, x) as unknown as { layer: { w: ps.Tensor; b: ps.Tensor }; extra: ps.Tensor[] };
      expect(Object.keys(g).sort()).toEqual(['extra', 'layer']);
      expect(g.layer.w.shape).toEqual([2, 2]);
      // d/dw[i,j] = extra·x[j]; d/db = extra; d/dextra = Σ (w·x + b) = (-1 + 0.5) + (-1 - 0.5)
      checks.add('tree w', g.layer.w, [2, -2, 2, -2]);
      checks.add('tree b', g.layer.b, [2, 2]);
      checks.add('tree extra[0]', g.extra[0]!, [-2]);
      const list = [T([1, 2]), T([3])];
      const [gl] = ps.grad((ts: ps.Tensor[]) => ps.add(ps.sum(ps.square(ts[0]!)), ps.sum(ps.mul(ts[1]!, 4))), { argnums: [0] })(list) as ps.Tensor[][];
      checks.add('array tree [0]', gl![0]!, [2, 4]);
      checks.add('array tree [1]', gl![1]!, [4]);
    });
    await checks.run();
  });

  it('non-tensor leaves in a differentiated tree are a TypeError naming the path', () => {
    ps.tidy(() => {
      const err = thrown(() => ps.grad((p: { w: ps.Tensor; n: number }) => ps.sum(p.w))({ w: T([1]), n: 3 }));
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toMatch(/argument 0\.n must be a Tensor/);
    });
  });
});

describe('reuse, accumulation, unused arguments', () => {
  it('a tensor used several times, a diamond, and the same tensor passed twice', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = T([0.5, -1, 2]);
      // Σ eˣ + Σ 3x + mean(x): gradients from three branches accumulate.
      checks.add('three branches', ps.grad((t: ps.Tensor) => ps.add(ps.add(ps.sum(ps.exp(t)), ps.sum(ps.mul(t, 3))), ps.mean(t)))(x) as ps.Tensor, [0.5, -1, 2].map((v) => Math.exp(v) + 3 + 1 / 3), { rtol: 1e-6 });
      // h = 2x; y = Σ (h·h + h) → dy/dx = 2·(2h + 1) = 8x + 2
      checks.add('diamond', ps.grad((t: ps.Tensor) => {
        const h = ps.mul(t, 2);
        return ps.sum(ps.add(ps.mul(h, h), h));
      })(x) as ps.Tensor, [6, -6, 18]);
      // f(a, b) = Σ 2a + 3b with a and b the same tensor: each position gets the total, 5.
      const [ga, gb] = ps.grad((a: ps.Tensor, b: ps.Tensor) => ps.sum(ps.add(ps.mul(a, 2), ps.mul(b, 3))), { argnums: [0, 1] })(x, x) as ps.Tensor[];
      checks.add('same tensor twice (a)', ga!, [5, 5, 5]);
      checks.add('same tensor twice (b)', gb!, [5, 5, 5]);
      expect(ga).not.toBe(gb);
    });
    await checks.run();
  });

  it('an unused argument, and a loss that does not depend on the argument, get zeros', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = T([1, 2]);
      const unused = ps.ones([2, 3]);
      const [gx, gu] = ps.grad((a: ps.Tensor, _b: ps.Tensor) => ps.sum(ps.square(a)), { argnums: [0, 1] })(x, unused) as ps.Tensor[];
      checks.add('used', gx!, [2, 4]);
      expect(gu!.shape).toEqual([2, 3]);
      checks.add('unused → zeros', gu!, new Float64Array(6));
      checks.add('constant loss → zeros', ps.grad((_a: ps.Tensor) => ps.sum(ps.ones([3])))(x) as ps.Tensor, [0, 0]);
      // piecewise-constant ops (no gradient) stop the gradient
      checks.add('through floor → zeros', ps.grad((a: ps.Tensor) => ps.sum(ps.floor(a)))(x) as ps.Tensor, [0, 0]);
    });
    await checks.run();
  });

  it('f returning its argument: the gradient is ones and the argument survives grad()', async () => {
    const x = ps.tensor(3);
    const g = ps.grad((t: ps.Tensor) => t)(x) as ps.Tensor;
    expect(x.isDisposed).toBe(false);
    expect(await g.item()).toBe(1);
    expect(await x.item()).toBe(3);
    x.dispose();
    g.dispose();
  });
});

describe('hasAux, noGrad, tidy inside f', () => {
  it('hasAux: [[value, aux], grads] with aux tensors alive', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = T([1, 2, 3]);
      const [[value, aux], g] = ps.valueAndGrad(
        (t: ps.Tensor) => {
          const pred = ps.mul(t, 2);
          return [ps.sum(ps.square(pred)), { pred, note: 'kept' }] as [ps.Tensor, unknown];
        },
        { hasAux: true },
      )(x) as [[ps.Tensor, { pred: ps.Tensor; note: string }], ps.Tensor];
      expect(aux.note).toBe('kept');
      expect(aux.pred.isDisposed).toBe(false);
      checks.add('hasAux value', value, [4 + 16 + 36]);
      checks.add('hasAux aux', aux.pred, [2, 4, 6]);
      checks.add('hasAux grad = 8x', g, [8, 16, 24]);
    });
    await checks.run();
  });

  it('noGrad: operations inside are constants for the gradient; outside grad it just runs', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const x = T([1, -2, 3]);
      // Σ x · stop(2x) → gradient 2x (not 4x)
      checks.add('noGrad inside f', ps.grad((t: ps.Tensor) => ps.sum(ps.mul(t, ps.noGrad(() => ps.mul(t, 2)))))(x) as ps.Tensor, [2, -4, 6]);
      checks.add('noGrad outside', ps.noGrad(() => ps.add(x, 1)), [2, -1, 4]);
      expect(ps.noGrad(() => 42)).toBe(42);
    });
    await checks.run();
  });

  it('tidy inside f disposes intermediates without breaking backward; so does an explicit dispose', async () => {
    const checks = new Checks();
    const x = T([0.1, -0.3, 0.7]);
    const before = ps.memory().tensors;
    const [value, g] = ps.valueAndGrad((t: ps.Tensor) => {
      const h = ps.tidy(() => {
        const a = ps.exp(t);
        const b = ps.mul(a, 2);
        return ps.tanh(b);
      });
      const c = ps.square(h);
      const out = ps.sum(c);
      c.dispose();
      return out;
    })(x) as [ps.Tensor, ps.Tensor];
    // Only the value and the gradient are new.
    expect(ps.memory().tensors - before).toBe(2);
    const xs = [0.1, -0.3, 0.7];
    // d/dx tanh²(2eˣ) = 2 tanh(2eˣ)·(1 - tanh²(2eˣ))·2eˣ
    const th = (v: number) => Math.tanh(2 * Math.exp(v));
    checks.add('value', value, [xs.reduce((s, v) => s + th(v) ** 2, 0)], { rtol: 1e-5 });
    checks.add('gradient', g, xs.map((v) => 2 * th(v) * (1 - th(v) ** 2) * 2 * Math.exp(v)), { rtol: 1e-4, atol: 1e-6 });
    await checks.run();
    x.dispose();
  });

  it('gradient accumulation across calls: summing the gradients of two batches equals the gradient of the summed loss', async () => {
    const checks = new Checks();
    ps.tidy(() => {
      const w = T([0.5, -1.5]);
      const b1 = T([[1, 2], [3, 4]]);
      const b2 = T([[-1, 0.5], [2, -2]]);
      const loss = (p: ps.Tensor, batch: ps.Tensor) => ps.sum(ps.square(ps.matmul(batch, p)));
      const g1 = ps.grad(loss)(w, b1) as ps.Tensor;
      const g2 = ps.grad(loss)(w, b2) as ps.Tensor;
      const gAll = ps.grad((p: ps.Tensor) => ps.add(loss(p, b1), loss(p, b2)))(w) as ps.Tensor;
      checks.fn([ps.add(g1, g2), gAll], ([a, b]) => {
        a!.forEach((v, i) => {
          if (Math.abs(v - b![i]!) > 1e-5 * Math.abs(b![i]!)) throw new Error(`accumulated ${v} vs ${b![i]} at ${i}`);
        });
      });
    });
    await checks.run();
  });
});

describe('errors', () => {
  it('a non-scalar output, an int32 argument, a disposed argument, bad argnums, a Promise', () => {
    ps.tidy(() => {
      const x = T([1, 2, 3]);
      const nonScalar = thrown(() => ps.grad((t: ps.Tensor) => ps.mul(t, 2))(x));
      expect(nonScalar).toBeInstanceOf(TypeError);
      expect(nonScalar.message).toMatch(/^valueAndGrad: f must return a float32 scalar tensor, got float32 \[3\]/);
      const notTensor = thrown(() => ps.grad((() => 3) as unknown as (t: ps.Tensor) => ps.Tensor)(x));
      expect(notTensor.message).toMatch(/^valueAndGrad: f must return a float32 scalar tensor, got number/);
      const ints = ps.tensor(new Int32Array([1, 2]));
      const intErr = thrown(() => ps.grad((t: ps.Tensor) => ps.sum(t))(ints));
      expect(intErr).toBeInstanceOf(TypeError);
      expect(intErr.message).toMatch(/^grad: can only differentiate float32 tensors; argument 0 has an int32 tensor \[2\]/);
      const gone = T([1]);
      gone.dispose();
      expect(thrown(() => ps.grad((t: ps.Tensor) => ps.sum(t))(gone)).message).toMatch(/^grad: argument 0 contains a disposed tensor \[1\]/);
      expect(thrown(() => ps.grad((t: ps.Tensor) => ps.sum(t), { argnums: 1 })(x)).message).toMatch(/^grad: argnums 1 out of range for 1 argument/);
      expect(thrown(() => ps.grad((async (t: ps.Tensor) => ps.sum(t)) as unknown as (t: ps.Tensor) => ps.Tensor)(x)).message).toMatch(/must be synchronous/);
      // A failed call leaves recording off: the next op is not taped, and grad still works.
      const after = ps.grad((t: ps.Tensor) => ps.sum(t))(x) as ps.Tensor;
      expect(after.shape).toEqual([3]);
    });
  });
});
