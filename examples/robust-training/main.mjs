// Robustness to a learned perturbation set, at reduced scale: synthetic colour images with the
// CIFAR-10-C training corruptions stand in for CIFAR-10-C. Learns the perturbation set with a CVAE,
// trains a classifier four ways (clean, data augmentation with the real corruptions, CVAE
// augmentation, latent adversarial training) and prints the blog's two tables — clean / perturbed /
// out-of-distribution accuracy, and adversarial accuracy at three latent radii — plus certified
// accuracy of the latent randomized-smoothing classifier.
//
//   node examples/robust-training/main.mjs [--train 2000] [--test 300] [--cvae-steps 400] [--epochs 10] [--quick] [--out DIR]
import * as ps from '../../dist/perturbset.js';
import { SmallConvNet } from '../lib/classifier.mjs';

const TRAIN_CORRUPTIONS = ['defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast', 'elastic_transform', 'pixelate', 'jpeg_compression'];
const OOD_CORRUPTIONS = ['gaussian_blur', 'spatter', 'saturate'];
const CERTIFY = { n0: 50, n: 300, alpha: 0.001 };
const MODEL = { latent_dim: 64, nblocks: 1, big_ch: 16, small_ch: 8, kernel_size: 3, padding: 1 };

function parseArgs(argv) {
  const opts = { train: 2000, test: 300, cvaeSteps: 400, epochs: 10, certify: 60, out: 'out/robust-training', seed: 0, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--train') opts.train = Number(next());
    else if (a === '--test') opts.test = Number(next());
    else if (a === '--cvae-steps') opts.cvaeSteps = Number(next());
    else if (a === '--epochs') opts.epochs = Number(next());
    else if (a === '--certify') opts.certify = Number(next());
    else if (a === '--out') opts.out = next();
    else if (a === '--seed') opts.seed = Number(next());
    else if (a === '--quick') opts.quick = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (opts.quick) Object.assign(opts, { train: 300, test: 60, cvaeSteps: 20, epochs: 1, certify: 8 });
  return opts;
}

/** Images with one random corruption each (severity 5): image b uses corruption `pick(b)`. */
async function corruptEach(key, x, names) {
  const B = x.shape[0];
  const parts = [];
  for (let b = 0; b < B; b++) {
    const name = names[ps.random.foldIn(key, b).k1 % names.length];
    const one = ps.gatherRows(x, [b]);
    parts.push(await ps.data.corrupt(ps.random.foldIn(key, b), one, name, 5));
    one.dispose();
  }
  const out = ps.concat(parts, 0);
  parts.forEach((t) => t.dispose());
  return out;
}

function table(title, header, rows) {
  console.log(`\n${title}`);
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(24) : h.padStart(12))).join(''));
  for (const row of rows) console.log(row.map((c, i) => (i === 0 ? String(c).padEnd(24) : (typeof c === 'number' ? `${(100 * c).toFixed(1)}%` : String(c)).padStart(12))).join(''));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rt = await ps.init();
  console.log(`adapter: ${rt.adapterInfo.description || rt.adapterInfo.vendor}`);
  const [dataKey, testKey, cvaeKey, radiusKey, classifierKey, evalKey, certifyKey] = ps.random.split(ps.random.key(opts.seed), 7);
  const train = ps.data.synthetic(dataKey, opts.train, { size: 32, classes: 10 });
  const test = ps.data.synthetic(testKey, opts.test, { size: 32, classes: 10 });

  // 1. The perturbation set: a CVAE on (x, corrupted x) pairs, one of the 12 corruptions per access.
  console.log(`\n== learning the perturbation set (${TRAIN_CORRUPTIONS.length} corruptions, severity 5)`);
  const pairs = ps.data.corruptionPairs(train, { key: cvaeKey, corruptions: TRAIN_CORRUPTIONS, severities: [5] });
  const cvae = ps.models.cifar10Rectangle(MODEL, { key: cvaeKey });
  const batches = Math.ceil(train.length / 32);
  const { optimizer } = await ps.trainCVAE(cvae, pairs, {
    epochs: Math.ceil(opts.cvaeSteps / batches),
    stepsPerEpoch: Math.min(batches, opts.cvaeSteps),
    batchSize: 32,
    lr: 1e-3,
    beta: ps.schedules.piecewiseLinear([0, 1], [0, 1e-2]),
    key: cvaeKey,
    onProgress: (p) => p.step % 50 === 0 && console.log(`step ${p.step}: loss ${p.loss.toFixed(2)} (recon ${p.recon.toFixed(2)}, kl ${p.kl.toFixed(1)})`),
  });
  optimizer.dispose();
  // Radii: percentiles of the latent norms of held-out pairs (the paper reads its three radii off this distribution).
  const heldOut = ps.data.corruptionPairs(test, { key: radiusKey, corruptions: TRAIN_CORRUPTIONS, severities: [5] });
  const norms = await ps.latentNorms(cvae, heldOut);
  const radii = [0.5, 0.75, 1].map((q) => ps.quantile(norms, q));
  console.log(`latent norms of ${norms.length} held-out pairs: median ${radii[0].toFixed(2)}, 75% ${radii[1].toFixed(2)}, max ${radii[2].toFixed(2)}`);
  const set = new ps.PerturbationSet(cvae, { epsilon: radii[2] });

  // 2. Four classifiers.
  const labeled = {
    length: train.length,
    batch: (indices, key) => {
      const { x, y } = train.batch(indices);
      x.dispose();
      const p = pairs.batch(indices, key);
      return { x: p.x, xt: p.xt, y };
    },
  };
  const modes = ['none', 'data', 'cvae', 'adversarial'];
  const names = { none: 'clean training', data: 'data augmentation', cvae: 'CVAE augmentation', adversarial: 'adversarial training' };
  const results = {};
  for (const [i, augment] of modes.entries()) {
    console.log(`\n== classifier: ${names[augment]}`);
    const model = new SmallConvNet({ key: ps.random.foldIn(classifierKey, i) });
    const started = performance.now();
    const { optimizer: opt } = await ps.trainClassifier(model, labeled, {
      epochs: opts.epochs,
      batchSize: 50,
      // Triangular schedule; a peak of 0.05 left training on the severity-5 corruptions at ~30% accuracy.
      lr: ps.schedules.piecewiseLinear([0, opts.epochs / 2, opts.epochs], [0.01, 0.02, 0]),
      momentum: 0.9,
      augment,
      set,
      attack: { epsilon: radii[1], alpha: radii[1] / 4, steps: 3, randomInit: true },
      key: ps.random.foldIn(classifierKey, 100 + i),
    });
    opt.dispose();
    const seconds = (performance.now() - started) / 1000;
    const evaluation = await ps.evaluateClassifier(model, test, {
      batchSize: 100,
      set,
      epsilons: radii,
      attack: { steps: opts.quick ? 3 : 10, randomInit: true },
      key: evalKey,
    });
    // Perturbed and out-of-distribution accuracy: each test image under a random corruption.
    const perturbed = await accuracyUnder(model, test, (k, x) => corruptEach(k, x, TRAIN_CORRUPTIONS), ps.random.foldIn(evalKey, 1));
    const ood = await accuracyUnder(model, test, (k, x) => corruptEach(k, x, OOD_CORRUPTIONS), ps.random.foldIn(evalKey, 2));
    // Certified accuracy of the smoothed classifier on the first test images.
    const certified = await certifiedAccuracy(set, model, test, opts.certify, radii[0] / 2, certifyKey);
    results[augment] = { ...evaluation, perturbed, ood, certified, trainSeconds: seconds };
    console.log(`trained in ${seconds.toFixed(0)} s: clean ${(100 * evaluation.clean).toFixed(1)}%, perturbed ${(100 * perturbed).toFixed(1)}%, OOD ${(100 * ood).toFixed(1)}%`);
    model.dispose();
  }

  table('Non-adversarial accuracy', ['method', 'clean', 'perturbed', 'OOD'], modes.map((m) => [names[m], results[m].clean, results[m].perturbed, results[m].ood]));
  table('Adversarial accuracy (latent PGD)', ['method', ...radii.map((r) => `ε=${r.toFixed(2)}`)], modes.map((m) => [names[m], ...radii.map((r) => results[m].adversarial[String(r)])]));
  // With n samples at level α no radius beyond σ·Φ⁻¹(α^(1/n)) can be certified (all n votes agreeing).
  const sigma = radii[0] / 2;
  const reachable = sigma * ps.stats.normPpf(Math.pow(CERTIFY.alpha, 1 / CERTIFY.n));
  const certRadii = [0, 0.25, 0.5, 0.75].map((f) => f * reachable);
  table(`Certified accuracy (smoothing σ = ${sigma.toFixed(2)}, n = ${CERTIFY.n}, α = ${CERTIFY.alpha}: radii up to ${reachable.toFixed(2)} are certifiable; ${opts.certify} test images)`, ['method', ...certRadii.map((r) => `r≥${r.toFixed(2)}`)], modes.map((m) => [names[m], ...certRadii.map((r) => results[m].certified.filter((c) => c.correct && c.radius >= r).length / results[m].certified.length)]));
  await ps.io.writeFile(`${opts.out}/results.json`, new TextEncoder().encode(JSON.stringify({ radii, certify: { sigma, ...CERTIFY, radii: certRadii }, results }, null, 2)));
  cvae.dispose();
}

async function accuracyUnder(model, data, perturb, key) {
  let correct = 0;
  for (const [b, indices] of ps.data.batchIndices(data.length, 100).entries()) {
    const { x, y } = data.batch(indices);
    const xt = await perturb(ps.random.foldIn(key, b), x);
    const hits = ps.noGrad(() => ps.tidy(() => ps.sum(ps.equal(ps.argmax(model.forward(xt), 1), y))));
    correct += await hits.item();
    for (const t of [x, y, xt, hits]) t.dispose();
  }
  return correct / data.length;
}

async function certifiedAccuracy(set, model, data, count, sigma, key) {
  const out = [];
  for (const indices of ps.data.batchIndices(Math.min(count, data.length), 20)) {
    const { x, y } = data.batch(indices);
    const labels = await y.data();
    const c = await ps.smoothing.certify(set, model, x, key, { sigma, ...CERTIFY, batchSize: 300 });
    for (let i = 0; i < indices.length; i++) out.push({ correct: c.prediction[i] === labels[i], radius: c.radius[i] });
    x.dispose();
    y.dispose();
  }
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
