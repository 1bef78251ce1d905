// The reference mnist_conv CVAE against PyTorch (test/fixtures/torch-cvae.json, written by
// scripts/fixtures/torch_cvae.py): parameter names and shapes, prior and posterior Gaussians, the
// latent, the reconstruction, the three terms of the reference vae_loss (bernoulli, beta 0.5,
// reduction 'sum') and every weight gradient, for a batch of two pairs with injected noise.
//
// The weights (~430k) are not stored: both sides set them from the same closed-form integer hash
// (values with 8-bit mantissas, exact in float32), so PyTorch and we start from identical numbers.
// PyTorch ran in float64, so the golden values carry no float32 error; what we measure is ours.
//
// Tolerances. Elements: rtol 1e-4 (the bar) plus an absolute floor of 1e-5 × the largest
// |value| of the tensor, because an element that is a cancellation of large terms (a conv output,
// a weight gradient summed over batch and positions) carries float32 rounding error proportional
// to its terms, not to itself. Sums over a tensor (sum, Σ v·r with |r| ≤ 1): each element's error
// is ≤ 1e-4·|v| + floor, so the sum's error is ≤ 1e-4·Σ|v| + n·floor; we allow 1e-4·Σ|v| (the floor
// term never mattered and would make the bound loose). Σ v²: relative 2e-4 (twice the element
// error). The loss terms are sums of 1,568 BCE and 12,544 KL terms of one sign: rtol 1e-5.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import fixtureJson from '../fixtures/torch-cvae.json';
import { expectClose, readAll, thrown } from './helpers/check.js';

interface Signature {
  sum: number;
  sumSq: number;
  sumAbs: number;
  dot: number;
}
interface Sampled {
  indices: number[];
  values: number[];
}
interface Summary {
  name?: string;
  shape: number[];
  signature: Signature;
  sample: Sampled;
  maxAbs: number;
}
interface CvaeFixture {
  beta: number;
  distribution: 'bernoulli';
  reduction: 'sum';
  parameters: { name: string; shape: number[]; seed: number; shift: number }[];
  x: { shape: number[]; data: number[] };
  xt: { shape: number[]; data: number[] };
  eps: { shape: number[]; seed: number; shift: number };
  loss: { recon: number; kl: number; klBeta: number; loss: number };
  recon: { shape: number[]; data: number[]; min: number; max: number };
  outputs: Record<'priorMu' | 'priorLogvar' | 'posteriorMu' | 'posteriorLogvar' | 'z', Summary>;
  gradients: Summary[];
}
const fx = (fixtureJson as unknown as { cvae: CvaeFixture }).cvae;

/** lowbias32 of i·0x9E3779B1 + (seed + 1)·0x85EBCA77 (mod 2³²): the fixture script's `hash32`. */
export function hash32(i: number, seed: number): number {
  let x = (Math.imul(i, 0x9e3779b1) + Math.imul(seed + 1, 0x85ebca77)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The fixture script's `value(n, seed, shift)`: ((h % 511) − 255) / 256 · 2^−shift, exact in float32. */
export function hashValues(n: number, seed: number, shift: number): Float32Array {
  const out = new Float32Array(n);
  const scale = 2 ** -shift / 256;
  for (let i = 0; i < n; i++) out[i] = ((hash32(i, seed) % 511) - 255) * scale;
  return out;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function checkSummary(what: string, values: Float64Array, s: Summary, seed: number, failures: string[]): void {
  const n = values.length;
  if (n !== sizeOf(s.shape)) {
    failures.push(`${what}: ${n} values, expected ${sizeOf(s.shape)}`);
    return;
  }
  const floor = 1e-5 * s.maxAbs;
  try {
    expectClose(
      s.sample.indices.map((i) => values[i]!),
      s.sample.values,
      { rtol: 1e-4, atol: floor, what: `${what} (elements at the fixture's indices)` },
    );
  } catch (err) {
    failures.push((err as Error).message);
  }
  const r = hashValues(n, seed, 0);
  let sum = 0;
  let sumSq = 0;
  let sumAbs = 0;
  let dot = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    sumSq += v * v;
    sumAbs += Math.abs(v);
    dot += v * r[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const sig = s.signature;
  const sumTol = 1e-4 * sig.sumAbs;
  const checks: [string, number, number, number][] = [
    ['sum', sum, sig.sum, sumTol],
    ['Σ v·r', dot, sig.dot, sumTol],
    ['Σ |v|', sumAbs, sig.sumAbs, 1e-4 * sig.sumAbs],
    ['Σ v²', sumSq, sig.sumSq, 2e-4 * sig.sumSq],
    ['max |v|', maxAbs, s.maxAbs, 1e-4 * s.maxAbs + floor],
  ];
  for (const [name, got, want, tol] of checks) {
    if (!(Math.abs(got - want) <= tol)) failures.push(`${what}: ${name} is ${got}, PyTorch ${want} (|diff| ${Math.abs(got - want)} > ${tol})`);
  }
}

beforeAll(async () => {
  await ps.init();
});

describe('mnist_conv CVAE vs PyTorch', () => {
  it('has the reference parameter names, order and shapes', () => {
    const cvae = ps.models.mnistConv({ key: ps.random.key(3) });
    try {
      const named = cvae.namedParameters();
      expect(named.map(([n]) => n)).toEqual(fx.parameters.map((p) => p.name));
      expect(named.map(([, t]) => t.shape)).toEqual(fx.parameters.map((p) => p.shape));
      expect(Object.keys(cvae.stateDict())).toEqual(fx.parameters.map((p) => p.name));
      expect(cvae.info.latentShape).toEqual([128, 7, 7]);
    } finally {
      cvae.dispose();
    }
  });

  it('forward, vae_loss and every weight gradient match PyTorch (batch 2, injected noise)', async () => {
    const cvae = ps.models.mnistConv({ key: ps.random.key(3) });
    const named = new Map(cvae.namedParameters());
    for (const p of fx.parameters) {
      const t = named.get(p.name)!;
      ps.tidy(() => ps.assign(t, ps.tensor(hashValues(sizeOf(p.shape), p.seed, p.shift), p.shape)));
    }
    const x = ps.tensor(Float32Array.from(fx.x.data), fx.x.shape);
    const xt = ps.tensor(Float32Array.from(fx.xt.data), fx.xt.shape);
    const eps = ps.tensor(hashValues(sizeOf(fx.eps.shape), fx.eps.seed, fx.eps.shift), fx.eps.shape);
    const params = cvae.parameters();
    try {
      const [[loss, aux], grads] = ps.valueAndGrad(
        (_: ps.Tensor[]) => {
          const prior = cvae.prior(x);
          const posterior = cvae.recognition(x, xt);
          const z = cvae.reparameterize(posterior, eps);
          const recon = cvae.decode(x, z);
          const terms = ps.cvaeLoss(xt, { recon, prior, posterior, z }, { beta: fx.beta, distribution: fx.distribution, reduction: fx.reduction });
          return [terms.loss, [terms.recon, terms.kl, recon, prior.mu, prior.logvar, posterior.mu, posterior.logvar, z]];
        },
        { hasAux: true },
      )(params) as [[ps.Tensor, ps.Tensor[]], ps.Tensor[]];
      const values = await readAll([loss, ...aux, ...grads]);
      for (const t of [loss, ...aux, ...grads]) t.dispose();
      const [lossV, reconTerm, klTerm, recon, ...rest] = values as [Float64Array, Float64Array, Float64Array, Float64Array, ...Float64Array[]];

      expectClose([lossV[0]!, reconTerm[0]!, klTerm[0]!], [fx.loss.loss, fx.loss.recon, fx.loss.kl], { rtol: 1e-5, atol: 0, what: 'loss, recon, kl' });
      expectClose(recon, fx.recon.data, { rtol: 1e-4, atol: 1e-5 * fx.recon.max, what: 'recon', shape: fx.recon.shape });

      const failures: string[] = [];
      const keys = ['priorMu', 'priorLogvar', 'posteriorMu', 'posteriorLogvar', 'z'] as const;
      keys.forEach((k, i) => checkSummary(k, rest[i]!, fx.outputs[k], 3000 + i, failures));
      const gradValues = rest.slice(keys.length);
      expect(gradValues.length).toBe(fx.gradients.length);
      fx.gradients.forEach((g, p) => checkSummary(`grad ${g.name}`, gradValues[p]!, g, 5000 + p, failures));
      if (failures.length) throw new Error(`${failures.length} comparisons failed:\n  ${failures.join('\n  ')}`);
    } finally {
      for (const t of [x, xt, eps]) t.dispose();
      cvae.dispose();
    }
  });

  it('state dicts with missing, extra or misshapen tensors are errors naming them', () => {
    const cvae = ps.models.mnistConv({ key: ps.random.key(3) });
    const other = ps.models.mnistConv({ key: ps.random.key(4) });
    try {
      const sd = { ...other.stateDict() };
      delete sd['generator.conv5.bias'];
      expect(thrown(() => cvae.loadStateDict(sd)).message).toMatch(/missing 'generator\.conv5\.bias' \[1\]/);
      const wrong = ps.zeros([128, 64, 3, 1]);
      const bad = { ...other.stateDict(), 'prior.conv31.weight': wrong, 'prior.conv99.weight': wrong };
      const msg = thrown(() => cvae.loadStateDict(bad)).message;
      expect(msg).toMatch(/'prior\.conv31\.weight' has shape \[128,\s?64,\s?3,\s?1\], expected \[128,\s?64,\s?3,\s?3\]/);
      expect(msg).toMatch(/unexpected 'prior\.conv99\.weight'/);
      wrong.dispose();
    } finally {
      cvae.dispose();
      other.dispose();
    }
  });
});
