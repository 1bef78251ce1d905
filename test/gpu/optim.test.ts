// Adam and SGD against torch.optim step for step (test/fixtures/torch-ops.json): given gradient
// sequences, the parameters after every step — Adam with weight decay and non-default betas / eps,
// SGD plain, with weight decay, with momentum + dampening, Nesterov; setLr between steps;
// optimizer state through stateDict → saveSafetensors → loadSafetensors → loadStateDict gives the
// same next step; schedules.piecewiseLinear against np.interp.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, readAll, thrown } from './helpers/check.js';
import { arr, fixture, tensorOf, type OptimCase } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

function make(kind: 'adam' | 'sgd', params: ps.Tensor[], opts: OptimCase['opts']): ps.optim.Optimizer {
  return kind === 'adam' ? new ps.optim.Adam(params, opts as ps.optim.AdamOptions) : new ps.optim.SGD(params, opts as ps.optim.SGDOptions);
}

/**
 * Runs the case and queues, per step and parameter, the parameters (rtol 1e-4) and the update
 * itself (after − before, rtol 1e-4 plus 1e-7: the golden values are float32-rounded, ±3e-8 each),
 * so that a small relative error in a small update is not hidden by the size of the parameter.
 */
function runCase(kind: 'adam' | 'sgd', c: OptimCase): Promise<void> {
  const checks = new Checks();
  const params = c.params.map((p) => ps.keep(tensorOf(p)));
  const opt = make(kind, params, c.opts);
  const snapshots: ps.Tensor[][] = [];
  c.grads.forEach((gs, s) => {
    if (c.lrChanges[String(s)] !== undefined) opt.setLr(c.lrChanges[String(s)]!);
    ps.tidy(() => opt.step(gs.map((g) => tensorOf(g))));
    snapshots.push(params.map((p) => ps.keep(ps.mul(p, 1))));
  });
  const prev = (s: number, i: number) => arr(s === 0 ? c.params[i]! : c.after[s - 1]![i]!).data;
  snapshots.forEach((ps_, s) =>
    ps_.forEach((p, i) => {
      const expected = arr(c.after[s]![i]!);
      checks.add(`${c.name}: step ${s + 1}, parameter ${i}`, p, expected, { rtol: 1e-4, atol: 0 });
      const before = prev(s, i);
      checks.fn([p], ([v]) => {
        const got = v!.map((x, k) => x - before[k]!);
        const want = expected.data.map((x, k) => x - before[k]!);
        const bad = want.findIndex((w, k) => !(Math.abs(got[k]! - w) <= 1e-7 + 1e-4 * Math.abs(w)));
        if (bad >= 0) throw new Error(`${c.name}: step ${s + 1}, parameter ${i}: update[${bad}] is ${got[bad]}, expected ${want[bad]}`);
      });
    }),
  );
  return checks.run().finally(() => {
    for (const p of params) p.dispose();
    opt.dispose();
  });
}

describe('Adam vs torch.optim.Adam', () => {
  for (const c of fixture.optim.adam) {
    it(`${c.name}: ${c.grads.length} steps`, () => runCase('adam', c));
  }
});

describe('SGD vs torch.optim.SGD', () => {
  for (const c of fixture.optim.sgd) {
    it(`${c.name}: ${c.grads.length} steps`, () => runCase('sgd', c));
  }
});

describe('optimizer state checkpoints', () => {
  for (const [kind, c] of [['adam', fixture.optim.adam[1]!], ['sgd', fixture.optim.sgd[2]!]] as const) {
    it(`${c.name}: stateDict → saveSafetensors → loadSafetensors → loadStateDict gives the same next step`, async () => {
      const params = c.params.map((p) => ps.keep(tensorOf(p)));
      const a = make(kind, params, c.opts);
      const lrAt = (s: number) => c.lrChanges[String(s)];
      for (let s = 0; s < 3; s++) {
        if (lrAt(s) !== undefined) a.setLr(lrAt(s)!);
        ps.tidy(() => a.step(c.grads[s]!.map((g) => tensorOf(g))));
      }
      const state = a.stateDict();
      const bytes = await ps.io.saveSafetensors(state.tensors);
      const meta = JSON.parse(JSON.stringify(state.meta)) as ps.optim.OptimizerState['meta'];

      // A fresh optimizer on copies of the parameters, restored from the bytes.
      const copies = params.map((p) => ps.keep(ps.mul(p, 1)));
      const b = make(kind, copies, { ...c.opts, lr: 0.5 });
      const loaded = ps.io.loadSafetensors(bytes);
      b.loadStateDict({ tensors: loaded, meta });
      for (const t of Object.values(loaded)) t.dispose();
      expect(b.stepCount).toBe(3);
      expect(b.lr).toBe(a.lr);

      if (lrAt(3) !== undefined) for (const o of [a, b]) o.setLr(lrAt(3)!);
      ps.tidy(() => {
        const g = c.grads[3]!.map((t) => tensorOf(t));
        a.step(g);
        b.step(g);
      });
      const [va, vb] = [await readAll(params), await readAll(copies)];
      expect(vb).toEqual(va); // bit for bit
      const expected = c.after[3]!.map((t) => arr(t).data);
      va.forEach((v, i) => v.forEach((x, k) => expect(Math.abs(x - expected[i]![k]!)).toBeLessThanOrEqual(1e-4 * Math.abs(expected[i]![k]!))));
      for (const t of [...params, ...copies]) t.dispose();
      a.dispose();
      b.dispose();
    });
  }

  it('Adam.loadStateDict names every missing or mis-shaped state tensor and changes nothing then', async () => {
    const p = ps.keep(ps.zeros([2, 3]));
    const opt = new ps.optim.Adam([p]);
    const ok = opt.stateDict();
    expect(thrown(() => opt.loadStateDict({ tensors: {}, meta: ok.meta })).message).toBe("Adam.loadStateDict: missing 'state.0.exp_avg'; missing 'state.0.exp_avg_sq'");
    ps.tidy(() => {
      const bad = { 'state.0.exp_avg': ps.zeros([3, 2]), 'state.0.exp_avg_sq': ps.zeros([2, 3]) };
      bad['state.0.exp_avg_sq'] = ps.full([2, 3], 7);
      expect(thrown(() => opt.loadStateDict({ tensors: bad, meta: ok.meta })).message).toBe("Adam.loadStateDict: 'state.0.exp_avg' has shape [3,2], expected [2,3]");
    });
    // The well-shaped exp_avg_sq of the rejected state was not copied.
    expect(Array.from(await ok.tensors['state.0.exp_avg_sq']!.data())).toEqual([0, 0, 0, 0, 0, 0]);
    opt.dispose();
    p.dispose();
  });
});

describe('optimizer arguments', () => {
  it('setLr validates; step wants one gradient per parameter of the right shape; null skips a parameter', async () => {
    const p = ps.keep(ps.ones([3]));
    const q = ps.keep(ps.ones([2]));
    const opt = new ps.optim.SGD([p, q], { lr: 0.1 });
    expect(thrown(() => opt.setLr(-1)).message).toMatch(/lr must be a finite number ≥ 0/);
    expect(thrown(() => opt.setLr(NaN)).message).toMatch(/lr must be a finite number ≥ 0/);
    opt.setLr(0.5);
    expect(opt.lr).toBe(0.5);
    ps.tidy(() => {
      expect(thrown(() => opt.step([ps.ones([3])])).message).toMatch(/SGD.step: expected 2 gradients \(one per parameter\), got 1/);
      expect(thrown(() => opt.step([ps.ones([3]), ps.ones([3])])).message).toMatch(/gradient 1 has shape \[3\], parameter has \[2\]/);
      opt.step([null, ps.ones([2])]);
    });
    const [vp, vq] = await readAll([p, q]);
    expect(Array.from(vp!)).toEqual([1, 1, 1]);
    expect(Array.from(vq!)).toEqual([0.5, 0.5]);
    expect(thrown(() => new ps.optim.SGD([p], { momentum: 0.9, dampening: 0.1, nesterov: true })).message).toMatch(/Nesterov momentum requires momentum > 0 and dampening = 0/);
    expect(thrown(() => new ps.optim.Adam([p], { betas: [0.9, 1] })).message).toMatch(/betas\[1\] must be in \[0, 1\)/);
    expect(thrown(() => new ps.optim.Adam([p, p])).message).toMatch(/a parameter appears more than once/);
    opt.dispose();
    p.dispose();
    q.dispose();
  });
});

describe('schedules.piecewiseLinear vs np.interp', () => {
  it('between, at and beyond the knots (constant beyond the ends)', () => {
    for (const c of fixture.schedules) {
      const f = ps.schedules.piecewiseLinear(c.xs, c.ys);
      c.ts.forEach((t, i) => {
        const e = c.values[i]!;
        if (Math.abs(f(t) - e) > 1e-15 * Math.max(1, Math.abs(e))) throw new Error(`piecewiseLinear(${JSON.stringify(c.xs)}, ${JSON.stringify(c.ys)})(${t}) = ${f(t)}, np.interp gives ${e}`);
      });
    }
    expect(Number.isNaN(ps.schedules.piecewiseLinear([0, 1], [0, 1])(NaN))).toBe(true);
    expect(thrown(() => ps.schedules.piecewiseLinear([0, 0], [1, 2])).message).toMatch(/strictly increasing/);
    expect(thrown(() => ps.schedules.piecewiseLinear([0, 1], [1])).message).toMatch(/same length/);
  });
});
