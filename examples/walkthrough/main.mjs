// The blog walk-through of "Learning perturbation sets for robust machine learning" (Wong &
// Kolter, 2020), offline: one image, its common corruptions, a CVAE that learns them, and the
// perturbation set it defines — radius, necessary-subset and sufficient-likelihood errors.
//
//   npm start [-- --out DIR] [--image FILE.png | --mnist DIR --index N] [--steps N] [--quick]
import * as ps from '../../dist/perturbset.js';
import { parseArgs } from './args.mjs';
import { loadImage } from './image.mjs';
import { robustness } from './robustness.mjs';

const CORRUPTIONS = ['defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast', 'elastic_transform', 'pixelate', 'jpeg_compression'];

// A CVAE of the reference's CIFAR-10 family (residual blocks, batch norm, scaled-tanh log-variance),
// sized for one image on a CPU adapter.
const MODEL = { latent_dim: 64, nblocks: 1, big_ch: 16, small_ch: 8, kernel_size: 3, padding: 1 };

function section(title) {
  console.log(`\n== ${title}`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const rt = await ps.init();
  const adapter = rt.adapterInfo.description || `${rt.adapterInfo.vendor} ${rt.adapterInfo.architecture}`;
  console.log(`perturbset walk-through on ${adapter}`);
  const [imageKey, corruptKey, initKey, trainKey, setKey, robustKey] = ps.random.split(ps.random.key(opts.seed), 6);

  section('Defining perturbation sets with generative modeling');
  const { x, source, label } = await loadImage(opts, imageKey);
  console.log(`x: ${source}`);
  // x̃: the same image under each of the 12 training corruptions of CIFAR-10-C.
  const perturbed = [];
  for (const [i, name] of CORRUPTIONS.entries()) perturbed.push(await ps.data.corrupt(ps.random.foldIn(corruptKey, i), x, name, opts.severity));
  const X = ps.keep(ps.gatherRows(x, new Int32Array(CORRUPTIONS.length)));
  const hX = ps.keep(ps.concat(perturbed, 0));
  perturbed.forEach((t) => t.dispose());
  console.log(`pairs (x, x̃): ${CORRUPTIONS.length} corruptions at severity ${opts.severity}: ${CORRUPTIONS.join(', ')}`);

  section('Learning perturbation sets with conditional variational autoencoders');
  const cvae = ps.models.cifar10Rectangle(MODEL, { key: initKey });
  const params = cvae.parameters().reduce((n, p) => n + p.size, 0);
  console.log(`CVAE: ${params.toLocaleString('en-US')} parameters, latent dimension ${MODEL.latent_dim}; Adam lr 1e-3 for ${opts.steps} steps on the ${CORRUPTIONS.length} pairs`);
  const pairs = ps.data.tensorPairs(X, hX);
  const lossCurve = [];
  const trainStart = performance.now();
  const { optimizer } = await ps.trainCVAE(cvae, pairs, {
    epochs: opts.steps,
    batchSize: CORRUPTIONS.length,
    lr: 1e-3,
    beta: 1,
    key: trainKey,
    onProgress: (p) => {
      lossCurve.push({ step: p.step, loss: p.loss, recon: p.recon, kl: p.kl });
      if (p.step % 20 === 0 || p.step === 1 || p.step === opts.steps) {
        const elapsed = (performance.now() - trainStart) / 1000;
        console.log(`step ${String(p.step).padStart(4)}: loss ${p.loss.toFixed(3)} (recon ${p.recon.toFixed(3)}, KL ${p.kl.toFixed(3)})  ${(p.step / elapsed).toFixed(1)} steps/s`);
      }
    },
  });
  optimizer.dispose();
  cvae.eval();

  section('From CVAE to perturbation sets: selecting a radius');
  const epsilon = await ps.selectRadius(cvae, X, hX);
  console.log(`ε = max ‖(μ_posterior − μ_prior) / σ_prior‖₂ over the pairs = ${epsilon.toFixed(3)}`);
  const set = new ps.PerturbationSet(cvae, { epsilon });

  section('Necessary subset property');
  const ae = await ps.approximationError(set, X, hX, { optimizer: 'adam', init: 'random', lr: 0.1, steps: 50, key: setKey });
  console.log(`approximation error min_{‖z‖≤ε} MSE(g(z, x), x̃): mean ${ae.mean.toExponential(3)} (per corruption: ${Array.from(ae.perSample, (v) => v.toFixed(4)).join(', ')})`);

  section('Sufficient likelihood property');
  const eae = await ps.expectedApproximationError(set, X, hX, ps.random.foldIn(setKey, 1), { samples: 10 });
  console.log(`expected approximation error E_{z ~ p_ε} MSE(g(z, x), x̃): mean ${eae.mean.toExponential(3)}`);

  const report = {
    image: source,
    adapter: rt.adapterInfo,
    config: { corruptions: CORRUPTIONS, severity: opts.severity, steps: opts.steps, seed: opts.seed, model: { type: 'cifar10_rectangle', ...MODEL } },
    epsilon,
    approximationError: ae.mean,
    approximationErrorPerCorruption: Object.fromEntries(CORRUPTIONS.map((c, i) => [c, ae.perSample[i]])),
    expectedApproximationError: eae.mean,
    lossCurve,
  };

  section('Robustness to learned perturbation sets');
  const robust = await robustness({ set, x, label, key: robustKey, quick: opts.quick, out: opts.out });
  report.attack = robust.attack;
  report.certify = robust.certify;

  section('Report');
  const recon = ps.noGrad(() => ps.tidy(() => cvae.decode(X, cvae.recognition(X, hX).mu)));
  const samples = ps.noGrad(() => set.sample(X, ps.random.foldIn(setKey, 2)));
  const grids = { 'original.png': x, 'perturbed.png': hX, 'reconstructions.png': recon, 'samples.png': samples };
  for (const [name, images] of Object.entries(grids)) {
    await ps.io.writeFile(`${opts.out}/${name}`, await ps.io.gridPNG(images, { nrow: 6 }));
  }
  report.seconds = (performance.now() - t0) / 1000;
  await ps.io.writeFile(`${opts.out}/report.json`, new TextEncoder().encode(JSON.stringify(report, null, 2)));
  console.log(`wrote ${opts.out}/report.json and ${[...Object.keys(grids), 'attack.png'].join(', ')} in ${report.seconds.toFixed(0)} s`);
  for (const t of [x, X, hX, recon, samples]) t.dispose();
  pairs.dispose();
  cvae.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
