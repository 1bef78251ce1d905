// ps.trainClassifier (the four augmentation schemes) and ps.evaluateClassifier (clean, perturbed,
// out-of-distribution and adversarial accuracy) on toys small enough to know the answers: 16-pixel
// images, a linear classifier, and the identity-generator perturbation set (helpers/toy-cvae.ts:
// generate(x, z) = x + z), in which latent PGD can move pixel 0 by exactly ε.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { read } from './helpers/check.js';
import { Rng } from './helpers/rng.js';
import { identityCVAE } from './helpers/toy-cvae.js';

beforeAll(async () => {
  await ps.init();
});

const SHAPE: [number, number, number] = [1, 4, 4];
const D = 16;

/** Labelled images held on the CPU; batches are uploaded on demand (with xt when given). */
class Source implements ps.LabeledSource {
  readonly length: number;
  constructor(
    readonly x: Float32Array,
    readonly y: Int32Array,
    readonly xt?: Float32Array,
  ) {
    this.length = y.length;
  }
  batch(indices: ArrayLike<number>): { x: ps.Tensor; y: ps.Tensor; xt?: ps.Tensor } {
    const B = indices.length;
    const pick = (src: Float32Array) => {
      const out = new Float32Array(B * D);
      for (let b = 0; b < B; b++) out.set(src.subarray(indices[b]! * D, (indices[b]! + 1) * D), b * D);
      return ps.tensor(out, [B, ...SHAPE]);
    };
    const y = ps.tensor(Int32Array.from({ length: B }, (_, b) => this.y[indices[b]!]!), [B], 'int32');
    return this.xt ? { x: pick(this.x), y, xt: pick(this.xt) } : { x: pick(this.x), y };
  }
}

/** A linear 16 → 2 classifier that counts its forward calls. */
class Net extends ps.nn.Module {
  readonly fc: ps.nn.Linear;
  calls = 0;
  /** The training flag at each forward call. */
  modes: boolean[] = [];
  constructor(key: ps.random.Key) {
    super();
    this.fc = new ps.nn.Linear(D, 2, { key });
  }
  forward(x: ps.Tensor): ps.Tensor {
    this.calls++;
    this.modes.push(this.training);
    return ps.tidy(() => this.fc.forward(ps.reshape(x, [x.shape[0]!, D])));
  }
}

/** 16 images, class 1 iff pixel 0 > 0.5; xt = x + small noise. */
function trainingSource(): Source {
  const rng = new Rng(5);
  const N = 16;
  const x = Float32Array.from({ length: N * D }, () => rng.uniform());
  const y = Int32Array.from({ length: N }, (_, i) => (x[i * D]! > 0.5 ? 1 : 0));
  const xt = Float32Array.from(x, (v) => Math.min(1, Math.max(0, v + 0.1 * rng.normal())));
  return new Source(x, y, xt);
}

describe('trainClassifier', () => {
  it('trains with every augmentation scheme; adversarial training runs latent PGD and maximises over clean and adversarial loss', async () => {
    const data = trainingSource();
    const noXt = new Source(data.x, data.y);
    const set = new ps.PerturbationSet(identityCVAE(SHAPE), { epsilon: 0.5 });
    const attackSteps = 3;
    const runs: { name: string; augment: ps.Augment; source: Source; extra?: Partial<ps.TrainClassifierOptions>; callsPerStep: number }[] = [
      { name: 'none', augment: 'none', source: data, callsPerStep: 1 },
      { name: 'data (xt)', augment: 'data', source: data, callsPerStep: 1 },
      { name: 'data (perturb)', augment: 'data', source: noXt, extra: { perturb: (_k, x) => ps.sub(1, x) }, callsPerStep: 1 },
      { name: 'cvae (prior)', augment: 'cvae', source: data, extra: { set }, callsPerStep: 1 },
      { name: 'cvae (ball)', augment: 'cvae', source: data, extra: { set, cvaeSampling: 'ball' }, callsPerStep: 1 },
      // latentPGD: attackSteps + 1 evaluations and one success check; then the clean and adversarial forward passes.
      { name: 'adversarial', augment: 'adversarial', source: data, extra: { set, attack: { steps: attackSteps, alpha: 0.3, earlyStop: false } }, callsPerStep: attackSteps + 2 + 2 },
    ];
    const before = ps.memory();
    const firstLoss: Record<string, number> = {};
    for (const run of runs) {
      const model = new Net(ps.random.key(1));
      // Trains in training mode even when handed a model in eval mode (as a previous call leaves it).
      model.eval();
      let progressCalls = 0;
      const { lossCurve, optimizer } = await ps.trainClassifier(model, run.source, {
        epochs: 2,
        batchSize: 8,
        lr: 0.1,
        augment: run.augment,
        key: ps.random.key(2),
        onProgress: () => progressCalls++,
        ...run.extra,
      });
      expect(lossCurve).toHaveLength(4);
      expect(progressCalls).toBe(4);
      for (const p of lossCurve) {
        if (!(Number.isFinite(p.loss) && p.loss > 0)) throw new Error(`${run.name}: loss ${p.loss}`);
        expect(p.accuracy).toBeGreaterThanOrEqual(0);
        expect(p.accuracy).toBeLessThanOrEqual(1);
        expect(p.lr).toBe(0.1);
      }
      expect(lossCurve.map((p) => p.epoch)).toEqual([0, 0, 1, 1]);
      expect(model.calls).toBe(4 * run.callsPerStep);
      expect(model.training).toBe(false);
      // The attack runs in eval mode; the training passes in training mode.
      const step = run.augment === 'adversarial' ? [...new Array(attackSteps + 2).fill(false), true, true] : [true];
      expect(model.modes).toEqual(new Array(4).fill(step).flat());
      firstLoss[run.name] = lossCurve[0]!.loss;
      optimizer.dispose();
      model.parameters().forEach((t) => t.dispose());
    }
    // Same initialisation and batches: the first step's loss (before any update) is the clean
    // loss for 'none' and mean(max(CE(x), CE(x_adv))) ≥ it for 'adversarial', strictly here.
    expect(firstLoss['adversarial']!).toBeGreaterThan(firstLoss['none']! + 1e-3);
    expect(Math.abs(firstLoss['cvae (prior)']! - firstLoss['none']!)).toBeGreaterThan(1e-4);
    expect(Math.abs(firstLoss['data (xt)']! - firstLoss['none']!)).toBeGreaterThan(1e-4);
    expect(ps.memory().tensors).toBe(before.tensors);
  });

  it('rejects labels out of range before any update, naming the culprit', async () => {
    const good = trainingSource();
    const y = Int32Array.from(good.y);
    y[3] = 5;
    const bad = new Source(good.x, y);
    const set = new ps.PerturbationSet(identityCVAE(SHAPE), { epsilon: 0.5 });
    const model = new Net(ps.random.key(1));
    const w0 = await read(model.fc.weight);
    const before = ps.memory();
    // Unshuffled single batch (batchSize = N, and index 3 of the permutation is wherever example 3 landed): find it by the message.
    for (const augment of ['none', 'adversarial'] as const) {
      await expect(ps.trainClassifier(model, bad, { epochs: 1, batchSize: 16, augment, set, attack: { steps: 1 } })).rejects.toThrow(
        /^trainClassifier: label 5 at index \d+ is out of range for 2 classes$/,
      );
    }
    expect(Array.from(await read(model.fc.weight))).toEqual(Array.from(w0));
    const floatLabels: ps.LabeledSource = {
      length: 4,
      batch: (idx) => ({ x: ps.zeros([idx.length, ...SHAPE]), y: ps.zeros([idx.length]) }),
    };
    await expect(ps.trainClassifier(model, floatLabels, { epochs: 1, batchSize: 4 })).rejects.toThrow('trainClassifier: the data source must give int32 labels [4], got float32 [4]');
    await expect(ps.trainClassifier(model, good, { epochs: 1, augment: 'adversarial' })).rejects.toThrow("trainClassifier: augment 'adversarial' needs a perturbation set (opts.set)");
    await expect(ps.trainClassifier(model, new Source(good.x, good.y), { epochs: 1, augment: 'data' })).rejects.toThrow("trainClassifier: augment 'data' needs perturbed images");
    await expect(ps.trainClassifier(model, good, { epochs: 1, augment: 'bogus' as never })).rejects.toThrow("trainClassifier: augment must be 'none', 'data', 'cvae' or 'adversarial', got 'bogus'");
    expect(ps.memory().tensors).toBe(before.tensors);
    model.parameters().forEach((t) => t.dispose());
  });
});

describe('evaluateClassifier', () => {
  // Classifier: class 1 iff pixel 0 > 0.5 (logits [0, x₀ − 0.5]). Pixel 0 of the ten images, their
  // labels (examples 6 and 7 mislabelled for it) and what each measure must give:
  const X0 = [0.1, 0.3, 0.45, 0.55, 0.7, 0.9, 0.2, 0.8, 0.52, 0.35];
  const LABELS = [0, 0, 0, 1, 1, 1, 1, 0, 1, 0];
  //   clean: 8/10; perturbed x → 1 − x flips every prediction: 2/10; OOD (all pixels 0.9) predicts 1: 5/10;
  //   adversarial at ε: correct examples with |x₀ − 0.5| > ε survive: ε = 0.1 → 5/10, 0.25 → 2/10, 0.45 → 0.
  const N = X0.length;
  const rng = new Rng(8);
  const xv = Float32Array.from({ length: N * D }, (_, i) => (i % D === 0 ? X0[i / D]! : rng.uniform()));

  function classifier() {
    const w = ps.tensor(Float32Array.from({ length: 2 * D }, (_, i) => (i === D ? 1 : 0)), [2, D]);
    const b = ps.tensor([0, -0.5], [2]);
    const f = (x: ps.Tensor) => ps.tidy(() => ps.linear(ps.reshape(x, [x.shape[0]!, D]), w, b));
    return { f, dispose: () => [w, b].forEach((t) => t.dispose()) };
  }

  it('reports clean, perturbed, OOD and per-radius adversarial accuracy', async () => {
    const { f, dispose } = classifier();
    const set = new ps.PerturbationSet(identityCVAE(SHAPE), { epsilon: 1 });
    const before = ps.memory();
    const result = await ps.evaluateClassifier(f, new Source(xv, Int32Array.from(LABELS)), {
      batchSize: 4,
      perturb: (_k, x) => ps.sub(1, x),
      ood: (_k, x) => ps.full(x.shape, 0.9),
      set,
      epsilons: [0.1, 0.25, 0.45],
      // Default step ε/20: 22 steps reach the sphere.
      attack: { steps: 22, earlyStop: false },
    });
    expect(result.examples).toBe(10);
    expect(result.clean).toBeCloseTo(0.8, 12);
    expect(result.perturbed!).toBeCloseTo(0.2, 12);
    expect(result.ood!).toBeCloseTo(0.5, 12);
    expect(Object.keys(result.adversarial!)).toEqual(['0.1', '0.25', '0.45']);
    expect(result.adversarial!['0.1']!).toBeCloseTo(0.5, 12);
    expect(result.adversarial!['0.25']!).toBeCloseTo(0.2, 12);
    expect(result.adversarial!['0.45']!).toBe(0);

    // The source's xt takes precedence over perturb; limit evaluates the first examples; no OOD/attack when not asked.
    const withXt = new Source(xv, Int32Array.from(LABELS), Float32Array.from(xv, (v) => 1 - v));
    const r2 = await ps.evaluateClassifier(f, withXt, { batchSize: 3, perturb: (_k, x) => ps.add(x, 0) });
    expect(r2).toEqual({ examples: 10, clean: 0.8, perturbed: 0.2 });
    const r3 = await ps.evaluateClassifier(f, new Source(xv, Int32Array.from(LABELS)), { limit: 5 });
    expect(r3).toEqual({ examples: 5, clean: 1 });
    expect(ps.memory().tensors).toBe(before.tensors);
    dispose();
  });

  it('rejects labels out of range and bad options, naming the culprit', async () => {
    const { f, dispose } = classifier();
    const set = new ps.PerturbationSet(identityCVAE(SHAPE), { epsilon: 1 });
    const labels = Int32Array.from(LABELS);
    labels[6] = 7;
    const before = ps.memory();
    await expect(ps.evaluateClassifier(f, new Source(xv, labels), { batchSize: 4 })).rejects.toThrow(/^evaluateClassifier: label 7 at index 2 is out of range for 2 classes$/);
    await expect(ps.evaluateClassifier(f, new Source(xv, Int32Array.from(LABELS)), { epsilons: [0.1] })).rejects.toThrow('evaluateClassifier: adversarial accuracy needs a perturbation set (opts.set)');
    await expect(ps.evaluateClassifier(f, new Source(xv, Int32Array.from(LABELS)), { set, epsilons: [0] })).rejects.toThrow('evaluateClassifier: epsilons must be > 0, got 0');
    await expect(ps.evaluateClassifier((x: ps.Tensor) => ps.reshape(f(x), [2 * x.shape[0]!]), new Source(xv, Int32Array.from(LABELS)))).rejects.toThrow(
      /^evaluateClassifier: the classifier returned float32 \[20\] for 10 images/,
    );
    expect(ps.memory().tensors).toBe(before.tensors);
    dispose();
  });
});
