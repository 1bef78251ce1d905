// The blog's "Robustness to learned perturbation sets", on the walk-through's image: a classifier
// (trained on the built-in synthetic image set), a latent PGD attack inside the learned set, and a
// randomized-smoothing certificate for the smoothed classifier in the latent space.
import * as ps from '../../dist/perturbset.js';
import { SmallConvNet } from '../lib/classifier.mjs';

const CLASSES = 10;

async function trainClassifier(key, quick) {
  const [dataKey, initKey, trainKey] = ps.random.split(key, 3);
  const data = ps.data.synthetic(dataKey, quick ? 256 : 1500, { size: 32, classes: CLASSES });
  const model = new SmallConvNet({ key: initKey });
  const epochs = quick ? 1 : 6;
  // A triangular learning-rate schedule (a constant 0.05 stalled at ~70% training accuracy).
  const lr = ps.schedules.piecewiseLinear([0, epochs / 2, epochs], [0.01, 0.02, 0]);
  const { optimizer, lossCurve } = await ps.trainClassifier(model, data, { epochs, batchSize: 50, lr, momentum: 0.9, key: trainKey });
  optimizer.dispose();
  const last = lossCurve[lossCurve.length - 1];
  console.log(`classifier: ${data.length} synthetic images, ${epochs} epoch${epochs === 1 ? "" : "s"} of SGD; last batch loss ${last.loss.toFixed(3)}, accuracy ${(100 * last.accuracy).toFixed(0)}%`);
  return model;
}

async function predicted(model, images) {
  const labels = ps.noGrad(() => ps.tidy(() => ps.argmax(model.forward(images), 1)));
  const values = Array.from(await labels.data());
  labels.dispose();
  return values;
}

export async function robustness({ set, x, label, key, quick, out }) {
  const [classifierKey, attackKey, certifyKey] = ps.random.split(key, 3);
  const model = await trainClassifier(classifierKey, quick);
  const [clean] = await predicted(model, x);
  const truth = label ?? clean;
  console.log(`x is class ${label ?? '(unknown)'}; the classifier says ${clean}`);

  // Latent PGD: maximise the classifier's loss over g(z, x), ‖z‖ ≤ ε (8 random starts of the same x).
  const starts = 8;
  const xs = ps.gatherRows(x, new Int32Array(starts));
  const ys = ps.tensor(new Int32Array(starts).fill(truth), [starts], 'int32');
  const attack = await ps.latentPGD(set, model, xs, ys, { steps: quick ? 5 : 20, alpha: set.epsilon / 10, randomInit: true, key: attackKey });
  const adversarialLabels = await predicted(model, attack.xAdv);
  const fooled = attack.success.filter(Boolean).length;
  const shown = attack.success.indexOf(true) >= 0 ? attack.success.indexOf(true) : 0;
  console.log(`latent PGD (ε = ${set.epsilon.toFixed(2)}, ${attack.iterations} steps, ${starts} random starts): ${fooled}/${starts} adversarial; example labels ${clean} → ${adversarialLabels[shown]}`);
  const pair = ps.tidy(() => ps.concat([x, ps.gatherRows(attack.xAdv, [shown])], 0));
  await ps.io.writeFile(`${out}/attack.png`, await ps.io.gridPNG(pair, { nrow: 2 }));

  // Randomized smoothing in the latent space (Cohen et al. 2019): certify the smoothed classifier at x.
  const sigma = set.epsilon / 4;
  const n = quick ? 200 : 1000;
  const certificate = await ps.smoothing.certify(set, model, x, certifyKey, { sigma, n0: 100, n, alpha: 0.001, batchSize: 250 });
  const prediction = certificate.prediction[0];
  console.log(
    `smoothed classifier (σ = ${sigma.toFixed(2)}, n0 = 100, n = ${n}, α = 0.001): ` +
      (prediction === ps.smoothing.ABSTAIN ? 'abstains' : `class ${prediction}, p_A ≥ ${certificate.pALower[0].toFixed(4)}, certified latent radius ${certificate.radius[0].toFixed(3)}`),
  );
  for (const t of [xs, ys, attack.xAdv, attack.z, pair]) t.dispose();
  model.dispose();
  return {
    attack: { epsilon: set.epsilon, successRate: fooled / starts, label: truth, labels: { original: clean, adversarial: adversarialLabels[shown] }, iterations: attack.iterations },
    certify: { sigma, n0: 100, n, alpha: 0.001, prediction, pALower: certificate.pALower[0], radius: certificate.radius[0], count: certificate.counts[0] },
  };
}
