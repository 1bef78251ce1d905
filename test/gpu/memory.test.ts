// Explicit memory: 1,000 tidy-wrapped training steps leave memory() where it started; tidy / keep /
// dispose semantics; a disposed tensor is an error that names the op.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { thrown } from './helpers/check.js';
import { Rng } from './helpers/rng.js';

beforeAll(async () => {
  await ps.init();
});

describe('leak test', () => {
  it('1,000 tidy-wrapped forward+backward+update steps of a small MLP leave memory() where it started', async () => {
    const rng = new Rng(1);
    const t = (shape: number[], scale = 0.5) => ps.tensor(Float32Array.from(rng.array(shape, -scale, scale).data), shape);
    const x = t([8, 5], 1);
    const y = t([8, 3], 1);
    let params = [t([16, 5]), t([16]), t([3, 16]), t([3])];
    const lr = 0.05;
    const loss = (w1: ps.Tensor, b1: ps.Tensor, w2: ps.Tensor, b2: ps.Tensor) => {
      const h = ps.linear(x, w1, b1, 'relu'); // fused matmul + bias + relu
      const out = ps.add(ps.matmul(h, w2, { transposeB: true }), b2);
      return ps.mean(ps.square(ps.sub(out, y)));
    };
    const step = (): ps.Tensor => {
      const [value, next] = ps.tidy(() => {
        const [v, grads] = ps.valueAndGrad(loss, { argnums: [0, 1, 2, 3] })(...(params as [ps.Tensor, ps.Tensor, ps.Tensor, ps.Tensor])) as [ps.Tensor, ps.Tensor[]];
        // optimizer-like update: new tensors replace the old ones
        return [v, params.map((p, i) => ps.sub(p, ps.mul(grads[i]!, lr)))] as const;
      });
      for (const p of params) p.dispose();
      params = [...next];
      return value;
    };

    // Warm up (pipelines, pool buckets), then measure from a flushed state.
    const first = step();
    await ps.flush();
    const start = ps.memory();
    const startTime = performance.now();
    let pooledAfterWarmup = 0;
    for (let i = 0; i < 1000; i++) {
      const value = step();
      value.dispose();
      if (i === 19) pooledAfterWarmup = ps.memory().pooledBytes;
    }
    const last = step();
    await ps.flush();
    const elapsed = performance.now() - startTime;
    last.dispose();
    await ps.flush();
    const end = ps.memory();
    expect(end.tensors).toBe(start.tensors);
    expect(end.buffers).toBe(start.buffers);
    expect(end.bytes).toBe(start.bytes);
    // The pool reaches a steady state: no growth after the first iterations (slack: one uniform arena).
    expect(end.pooledBytes).toBeLessThanOrEqual(pooledAfterWarmup + 64 * 1024);
    expect(end.pooledBytes).toBeLessThan(4 * 1024 * 1024);
    // It did train: the loss went down.
    const final = ps.tidy(() => loss(...(params as [ps.Tensor, ps.Tensor, ps.Tensor, ps.Tensor])));
    const [l0, l1] = [await first.item(), await final.item()];
    expect(l1).toBeLessThan(l0 * 0.9);
    final.dispose();
    expect(elapsed).toBeGreaterThan(0);
    first.dispose();
    for (const p of [...params, x, y]) p.dispose();
  }, 120_000);
});

describe('tidy, keep, dispose', () => {
  it('tidy disposes what fn created except what it returns (in arrays, objects and Maps)', () => {
    const before = ps.memory().tensors;
    const kept = ps.tidy(() => {
      const a = ps.ones([2]);
      const b = ps.add(a, 1);
      ps.mul(b, 3); // dropped
      return { list: [b], map: new Map([['a', a]]), n: 5 };
    });
    expect(ps.memory().tensors - before).toBe(2);
    expect(kept.list[0]!.isDisposed).toBe(false);
    expect(kept.map.get('a')!.isDisposed).toBe(false);
    kept.list[0]!.dispose();
    kept.map.get('a')!.dispose();
    expect(ps.memory().tensors).toBe(before);
  });

  it('nested tidy hands returned tensors to the enclosing scope; keep() exempts a tensor from every scope', () => {
    const before = ps.memory().tensors;
    let inner: ps.Tensor | undefined;
    let kept: ps.Tensor | undefined;
    ps.tidy(() => {
      inner = ps.tidy(() => ps.zeros([3]));
      expect(inner.isDisposed).toBe(false);
      ps.tidy('named scope', () => {
        kept = ps.keep(ps.ones([4]));
      });
      return 1;
    });
    expect(inner!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    expect(ps.memory().tensors - before).toBe(1);
    kept!.dispose();
    kept!.dispose(); // disposing twice is harmless
    expect(ps.memory().tensors).toBe(before);
  });

  it('a throwing fn still disposes its tensors; a Promise-returning fn is refused', () => {
    const before = ps.memory().tensors;
    expect(() =>
      ps.tidy(() => {
        ps.ones([5]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ps.memory().tensors).toBe(before);
    expect(() => ps.tidy((async () => ps.ones([1])) as unknown as () => ps.Tensor)).toThrow(/^tidy: fn must be synchronous/);
    expect(ps.memory().tensors).toBe(before);
  });

  it('memory() counts tensors and buffer bytes; views share a buffer until the last one goes', async () => {
    await ps.flush();
    const m0 = ps.memory();
    const a = ps.zeros([1000]);
    await ps.flush(); // queued work holds a uniform buffer until it is submitted
    const m1 = ps.memory();
    expect(m1.tensors - m0.tensors).toBe(1);
    expect(m1.buffers - m0.buffers).toBe(1);
    expect(m1.bytes - m0.bytes).toBeGreaterThanOrEqual(4000);
    const v = ps.reshape(a, [10, 100]); // a view: no GPU work, no new buffer
    expect(ps.memory().tensors - m0.tensors).toBe(2);
    expect(ps.memory().buffers - m0.buffers).toBe(1);
    a.dispose();
    expect(ps.memory().tensors - m0.tensors).toBe(1);
    expect(ps.memory().buffers - m0.buffers).toBe(1);
    const s = v.sum();
    expect(await s.item()).toBe(0);
    s.dispose();
    v.dispose();
    await ps.flush();
    const m2 = ps.memory();
    expect(m2.tensors).toBe(m0.tensors);
    expect(m2.bytes).toBe(m0.bytes);
    expect(m2.buffers).toBe(m0.buffers);
  });

  it('valueAndGrad leaves only the value and the gradients behind', () => {
    const x = ps.tensor([1, 2, 3]);
    const before = ps.memory().tensors;
    const [v, g] = ps.valueAndGrad((t: ps.Tensor) => ps.sum(ps.exp(ps.mul(t, ps.tensor([1, 2, 3])))))(x) as [ps.Tensor, ps.Tensor];
    expect(ps.memory().tensors - before).toBe(2);
    v.dispose();
    g.dispose();
    x.dispose();
  });
});

describe('using a disposed tensor', () => {
  it('throws at call time, naming the op and the tensor', async () => {
    const x = ps.tensor([1, 2]);
    const id = x.id;
    x.dispose();
    expect(x.isDisposed).toBe(true);
    expect(thrown(() => ps.add(x, 1)).message).toMatch(new RegExp(`^add: a \\(tensor #${id} \\[2\\]\\) has been disposed`));
    expect(thrown(() => ps.exp(x)).message).toMatch(/^exp: x \(tensor #\d+ \[2\]\) has been disposed/);
    expect(thrown(() => ps.sum(x)).message).toMatch(/^sum: x .*has been disposed/);
    expect(thrown(() => ps.matmul(x, x)).message).toMatch(/^matmul: a .*has been disposed/);
    expect(thrown(() => ps.reshape(x, [2, 1])).message).toMatch(/^reshape: x .*has been disposed/);
    expect(thrown(() => ps.concat([x], 0)).message).toMatch(/^concat: tensors\[0\] .*has been disposed/);
    expect(thrown(() => ps.where(x, 1, 0)).message).toMatch(/^where: cond .*has been disposed/);
    await expect(x.data()).rejects.toThrow(/^data: tensor #\d+ \[2\] float32 has been disposed/);
  });
});
