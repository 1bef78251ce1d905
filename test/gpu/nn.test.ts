// nn modules against PyTorch's conventions (test/fixtures/torch-ops.json): parameter and buffer
// names and order (nested Sequential, BatchNorm2d buffers), default initialisation
// (kaiming_uniform_(a=√5) weights and fan-in uniform biases: the bounds torch computes, and the
// values uniform within them), BatchNorm2d's initial state, train()/eval(), and loadStateDict
// reporting every mismatch at once without copying anything.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks, readAll, thrown } from './helpers/check.js';
import { ksPValue, ksStatistic } from './helpers/stats.js';
import { arr, fixture, golden } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

describe('default initialisation', () => {
  it('Conv2d / Linear: weights U(−b, b) with torch\'s kaiming_uniform_(a=√5) bound, biases U(−1/√fan_in, 1/√fan_in)', async () => {
    const cases = fixture.init.filter((c) => c.kind === 'Conv2d' || c.kind === 'Linear');
    const layers = cases.map((c, i) => {
      const key = ps.random.key(1000 + i);
      if (c.kind === 'Linear') return new ps.nn.Linear(c.args![0] as number, c.args![1] as number, { key });
      const [inC, outC, k] = c.args as [number, number, number | number[]];
      return new ps.nn.Conv2d(inC, outC, typeof k === 'number' ? k : (k as [number, number]), { key });
    });
    const values = await readAll(layers.flatMap((l) => [l.weight, l.bias!]));
    const problems: string[] = [];
    cases.forEach((c, i) => {
      const layer = layers[i]!;
      expect(layer.weight.shape).toEqual(c.weightShape);
      expect(layer.namedParameters().map(([n]) => n)).toEqual(c.names);
      const name = `${c.kind}(${JSON.stringify(c.args).slice(1, -1)})`;
      for (const [what, v, bound] of [['weight', values[2 * i]!, c.weightBound!], ['bias', values[2 * i + 1]!, c.biasBound!]] as const) {
        const n = v.length;
        const top = Math.max(...Array.from(v, Math.abs));
        // Within the bound (as float32), and reaching close to it: P(max|w| < (1 − 20/n)·b) ≈ e^-20.
        if (top > Math.fround(bound)) problems.push(`${name} ${what}: max |value| ${top} exceeds torch's bound ${bound}`);
        if (n >= 100 && top < (1 - 20 / n) * bound) problems.push(`${name} ${what}: max |value| ${top} is far below the bound ${bound} (n = ${n})`);
        // Uniform on [−b, b]: Kolmogorov–Smirnov.
        const p = ksPValue(ksStatistic(v, (x) => Math.min(1, Math.max(0, (x + bound) / (2 * bound)))), n);
        if (n >= 20 && p < 1e-4) problems.push(`${name} ${what}: not uniform on [−${bound}, ${bound}] (KS p = ${p})`);
      }
    });
    for (const l of layers) l.dispose();
    expect(problems).toEqual([]);
  });

  it('layers built without a key draw different values from the default stream; bias: false has no bias', async () => {
    const a = new ps.nn.Linear(30, 20);
    const b = new ps.nn.Linear(30, 20);
    const c = new ps.nn.Conv2d(2, 3, 3, { bias: false });
    const [va, vb] = await readAll([a.weight, b.weight]);
    expect(Array.from(va!).some((v, i) => v !== vb![i])).toBe(true);
    expect(c.bias).toBeNull();
    expect(Object.keys(c.stateDict())).toEqual(['weight']);
    for (const m of [a, b, c]) m.dispose();
  });

  it('BatchNorm2d starts like torch: weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked 0', async () => {
    const c = fixture.init.find((k) => k.kind === 'BatchNorm2d')!;
    const bn = new ps.nn.BatchNorm2d(5);
    expect(Object.keys(bn.stateDict())).toEqual(c.names);
    const checks = new Checks();
    const sd = bn.stateDict();
    for (const [name, ft] of [['weight', c.weight!], ['bias', c.bias!], ['running_mean', c.runningMean!], ['running_var', c.runningVar!]] as const) {
      golden(checks, name, sd[name]!.view([5]), ft, { rtol: 0, atol: 0 });
    }
    checks.add('num_batches_tracked', sd.num_batches_tracked!.view([]), [0], { rtol: 0, atol: 0, dtype: 'int32' });
    await checks.run();
    bn.dispose();
  });
});

describe('names, modes and loadStateDict', () => {
  function sequential() {
    return new ps.nn.Sequential(
      new ps.nn.Conv2d(1, 2, 3),
      new ps.nn.ReLU(),
      new ps.nn.Sequential(new ps.nn.Conv2d(2, 3, 1, { bias: false }), new ps.nn.BatchNorm2d(3)),
      new ps.nn.Flatten(),
      new ps.nn.Linear(3, 4),
    );
  }

  it('a nested Sequential has torch\'s state-dict names, shapes and parameter names; forward runs', async () => {
    const c = fixture.init.find((k) => k.kind === 'Sequential')!;
    const model = sequential();
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(c.names);
    expect(Object.values(sd).map((t) => t.shape)).toEqual(c.shapes);
    expect(model.namedParameters().map(([n]) => n)).toEqual(c.parameterNames);
    const y = ps.tidy(() => model.forward(ps.ones([2, 1, 3, 3])));
    expect(y.shape).toEqual([2, 4]);
    y.dispose();
    model.dispose();
  });

  it('train() / eval() recurse into children', () => {
    const model = sequential();
    const inner = model.at(2) as ps.nn.Sequential;
    expect((inner.at(1) as ps.nn.BatchNorm2d).training).toBe(true);
    model.eval();
    expect((inner.at(1) as ps.nn.BatchNorm2d).training).toBe(false);
    expect(model.training).toBe(false);
    model.train();
    expect((inner.at(1) as ps.nn.BatchNorm2d).training).toBe(true);
    model.dispose();
  });

  it('loadStateDict reports every problem at once (missing, unexpected, shape, dtype) and copies nothing', async () => {
    const model = sequential();
    const before = await readAll(model.parameters());
    const good = model.stateDict();
    const state: Record<string, ps.Tensor> = ps.tidy(() => {
      const s: Record<string, ps.Tensor> = {};
      for (const [name, t] of Object.entries(good)) s[name] = ps.full(t.shape, t.dtype === 'int32' ? 5 : 0.5, t.dtype);
      delete s['2.1.running_var']; // missing
      s['4.weight'] = ps.zeros([4, 2]); // wrong shape
      s['2.1.num_batches_tracked'] = ps.zeros([]); // wrong dtype
      s['0.extra'] = ps.zeros([1]); // unexpected
      return s;
    });
    const message = thrown(() => model.loadStateDict(state)).message;
    expect(message).toMatch(/^loadStateDict \(Sequential\): 4 problem\(s\)/);
    expect(message).toContain("missing '2.1.running_var' [3]");
    expect(message).toContain("'4.weight' has shape [4,2], expected [4,3]");
    expect(message).toContain("'2.1.num_batches_tracked' has dtype float32, expected int32");
    expect(message).toContain("unexpected '0.extra'");
    const after = await readAll(model.parameters());
    expect(after).toEqual(before);

    // strict: false tolerates missing and unexpected names, not wrong shapes.
    expect(thrown(() => model.loadStateDict(state, { strict: false })).message).toMatch(/2 problem\(s\)/);
    state['4.weight'] = ps.zeros([4, 3]);
    state['2.1.num_batches_tracked'] = ps.zeros([], 'int32');
    model.loadStateDict(state, { strict: false });
    const loaded = await readAll([model.parameters()[0]!, good['2.1.running_var']!]);
    expect(Array.from(loaded[0]!)).toEqual(new Array(18).fill(0.5));
    expect(Array.from(loaded[1]!)).toEqual([1, 1, 1]); // missing: kept
    for (const t of Object.values(state)) t.dispose();
    model.dispose();
  });

  it('ScaledTanh maps tanh = +1 to lower and −1 to upper (the reference range [ln 1e-3, ln 10])', async () => {
    const c = fixture.activations.find((k) => k.name === 'scaledTanh')!;
    const checks = new Checks();
    ps.tidy(() => {
      const s = new ps.nn.ScaledTanh();
      checks.add('ScaledTanh(±30)', s.forward(ps.tensor([30, -30])), [Math.log(1e-3), Math.log(10)], { rtol: 1e-6 });
      const custom = new ps.nn.ScaledTanh({ lower: -1, upper: 3 });
      checks.add('ScaledTanh(lower −1, upper 3)(0)', custom.forward(ps.tensor([0, 30])), [1, -1], { rtol: 1e-6 });
      golden(checks, 'ScaledTanh vs torch', s.forward(ps.tensor(Float32Array.from(arr(c.x).data), c.x.shape)), c.out, { atol: 1e-37 });
    });
    await checks.run();
  });
});
