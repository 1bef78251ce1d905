// Learns the l∞ (ε = 0.3) and RTS perturbation sets of MNIST with the reference mnist_conv CVAE
// and reports what the reference eval.py reports on the test set: reconstruction and KL, the fast
// (encoder) approximation error, the PGD approximation error, the expected approximation error,
// and the radius selected on held-out pairs. Saves a checkpoint per set.
//
//   node examples/mnist-perturbation-sets/main.mjs ../shared/data/mnist [--steps 600] [--eval-batches 4] [--out out/mnist-sets] [--only linf|rts] [--log-every 50]
import * as ps from '../../dist/perturbset.js';

function parseArgs(argv) {
  const opts = { dir: null, steps: 600, batch: 64, evalBatches: 4, out: 'out/mnist-sets', only: null, seed: 0, logEvery: 50 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--steps') opts.steps = Number(next());
    else if (a === '--batch') opts.batch = Number(next());
    else if (a === '--eval-batches') opts.evalBatches = Number(next());
    else if (a === '--out') opts.out = next();
    else if (a === '--only') opts.only = next();
    else if (a === '--seed') opts.seed = Number(next());
    else if (a === '--log-every') opts.logEvery = Number(next());
    else if (!a.startsWith('--')) opts.dir = a;
    else throw new Error(`unknown option ${a}`);
  }
  if (!opts.dir) throw new Error('usage: main.mjs MNIST_DIR [--steps N] [--batch B] [--eval-batches N] [--out DIR] [--only linf|rts]');
  return opts;
}

// The two perturbation sets of the paper's MNIST experiments (configs mnist_conv_linf, mnist_stn_rts).
// RTS digits are padded to 44×44 (the reference pads to 42 for its STN model; the conv CVAE needs a
// multiple of 4), then rotated ±45°, scaled 0.7–1.3 and shifted by up to 7 pixels.
const SETS = {
  linf: {
    padding: 0,
    perturb: (key, x) => ps.data.perturb.linf(key, x, { epsilon: 0.3 }),
    referenceRadius: 29,
    // configs/mnist_conv_linf.json: 20 epochs.
    schedule: { epochs: 20, lr: [[0, 10, 15, 20], [1e-3, 1e-3, 5e-4, 1e-4]], beta: [[0, 5, 20], [0, 1e-3, 1e-2]] },
  },
  rts: {
    padding: 8,
    perturb: (key, x) => ps.data.perturb.rts(key, x, { angle: 45, scale: [0.7, 1.3], padding: 7 }),
    referenceRadius: 14,
    // configs/mnist_stn_rts.json: 100 epochs, lr warm-up to 8e-4 and back to 0, β up to 1.
    schedule: { epochs: 100, lr: [[0, 40, 100], [0, 8e-4, 0]], beta: [[0, 10, 50, 100], [0, 0.01, 1, 1]] },
  },
};

// The step budget is far below the reference's epochs, so the reference schedules are compressed onto
// PHASES pseudo-epochs of steps/PHASES batches each (lr evaluated per batch, β per pseudo-epoch, as
// train.py evaluates them per epoch).
const PHASES = 10;

async function learnSet(name, spec, mnist, opts, key) {
  console.log(`\n== ${name}`);
  const [splitKey, initKey, trainKey, evalKey] = ps.random.split(key, 4);
  const pad = (d) => (spec.padding ? d.padded(spec.padding) : d);
  // The reference's 59,000 / 1,000 train / validation split of the MNIST training set.
  const [train, val] = ps.data.randomSplit(pad(mnist.train), [59000, 1000], splitKey);
  const test = pad(mnist.test);
  const size = train.imageShape[1];
  const cvae = ps.models.mnistConv({ key: initKey, size });
  const epochs = Math.min(PHASES, opts.steps);
  const stepsPerEpoch = Math.ceil(opts.steps / epochs);
  const scale = (xs) => xs.map((v) => (v * epochs) / spec.schedule.epochs);
  const lr = ps.schedules.piecewiseLinear(scale(spec.schedule.lr[0]), spec.schedule.lr[1]);
  const beta = ps.schedules.piecewiseLinear(scale(spec.schedule.beta[0]), spec.schedule.beta[1]);
  const started = performance.now();
  const { optimizer } = await ps.trainCVAE(cvae, ps.data.perturbedPairs(train, spec.perturb), {
    epochs,
    stepsPerEpoch,
    batchSize: opts.batch,
    lr,
    beta,
    key: trainKey,
    onProgress: (p) => {
      if (p.step % opts.logEvery === 0) console.log(`step ${p.step}: loss ${p.loss.toFixed(2)} (recon ${p.recon.toFixed(2)}, kl ${p.kl.toFixed(2)}), lr ${p.lr.toExponential(1)}, β ${p.beta.toExponential(1)}, ${p.samplesPerSec.toFixed(0)} samples/s`);
    },
    onCheckpoint: async (bytes) => {
      await ps.io.writeFile(`${opts.out}/${name}.checkpoint.safetensors`, bytes);
    },
  });
  optimizer.dispose();
  const trainSeconds = (performance.now() - started) / 1000;

  // Radius: the largest latent norm of the held-out validation pairs.
  const valPairs = ps.data.perturbedPairs(val, spec.perturb);
  const norms = await ps.latentNorms(cvae, valPairs);
  const epsilon = ps.quantile(norms, 1);
  console.log(`radius: max latent norm over ${norms.length} validation pairs = ${epsilon.toFixed(2)} (median ${ps.quantile(norms, 0.5).toFixed(2)}; reference eval radius ${spec.referenceRadius})`);
  const set = new ps.PerturbationSet(cvae, { epsilon });
  const metrics = await ps.evaluatePerturbationSet(set, ps.data.perturbedPairs(test, spec.perturb), { batchSize: 128, batches: opts.evalBatches, key: evalKey, steps: 50, samples: 5 });
  console.log(`test (${metrics.examples} pairs; errors as ${metrics.measure.toUpperCase()} per pixel, as eval.py): recon ${metrics.recon.toFixed(4)}, kl ${metrics.kl.toFixed(2)}, encoder error ${metrics.encoderError.toFixed(4)}, PGD approximation error ${metrics.approximationError.toFixed(4)}, expected approximation error ${metrics.expectedApproximationError.toFixed(4)}`);
  cvae.dispose();
  return { epsilon, trainSteps: opts.steps, trainSeconds, ...metrics };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rt = await ps.init();
  console.log(`adapter: ${rt.adapterInfo.description || rt.adapterInfo.vendor}`);
  const mnist = await ps.data.loadMNIST(opts.dir);
  const results = {};
  for (const [i, [name, spec]] of Object.entries(SETS).entries()) {
    if (opts.only && opts.only !== name) continue;
    results[name] = await learnSet(name, spec, mnist, opts, ps.random.foldIn(ps.random.key(opts.seed), i));
  }
  console.log('\nset   steps  train s  radius  recon   kl      enc err  PGD err  E[err]');
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(5)} ${String(r.trainSteps).padStart(6)} ${r.trainSeconds.toFixed(0).padStart(8)} ${r.epsilon.toFixed(2).padStart(7)} ${r.recon.toFixed(4)}  ${r.kl.toFixed(2).padStart(6)}  ${r.encoderError.toFixed(4)}   ${r.approximationError.toFixed(4)}   ${r.expectedApproximationError.toFixed(4)}`);
  }
  await ps.io.writeFile(`${opts.out}/results.json`, new TextEncoder().encode(JSON.stringify(results, null, 2)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
