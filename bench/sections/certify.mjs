// Sampling throughput of randomized smoothing in the latent space (ps.smoothing.sampleVotes, the
// loop under ps.smoothing.predict and certify; src/robust/smoothing.ts): 1,000 noise draws for one
// MNIST image, each decoded by the reference MNIST conv CVAE's generator (ps.models.mnistConv)
// and classified by the small conv classifier of the `pgd` section, in GPU batches of 250, votes
// counted on the GPU and read back once.

import { SmallConvClassifier } from './pgd.mjs';

export const meta = {
  name: 'certify',
  title: 'smoothing sampling, MNIST conv CVAE + small conv classifier, 1,000 samples in batches of 250 (best of 3)',
  portable: true,
};

export async function run(ctx) {
  const { ps, quick } = ctx;
  const n = 1000;
  const [km, kc, kx] = ps.random.split(ps.random.key(6), 3);
  const cvae = ps.models.mnistConv({ key: km });
  cvae.eval();
  const set = new ps.PerturbationSet(cvae, { epsilon: 1 });
  const classifier = new SmallConvClassifier(ps, kc);
  const x = ps.random.uniform(kx, [1, 1, 28, 28]);
  const key = ps.random.key(7);
  let votes = 0;
  const body = async () => {
    const { counts } = await ps.smoothing.sampleVotes(set, classifier, x, key, n, { sigma: 0.5, batchSize: 250 });
    votes = counts.reduce((a, b) => a + b, 0);
  };
  const { ms } = await ctx.timeGpu(body, { warmup: 1, minMs: quick ? 1000 : 3000, trials: quick ? 2 : 3 });
  if (votes !== n) throw new Error(`certify bench: ${votes} votes counted, expected ${n}`);
  ctx.report({ case: 'samples/s (generator + classifier forward, vote counting)', value: (n / ms) * 1000, unit: 'samples/s', note: 'target ≥ 500 in Node on lavapipe; PyTorch CPU ~2,800' });
  ctx.report({ case: 'ms per 1,000 samples', value: ms, unit: 'ms' });
  classifier.dispose();
  cvae.dispose();
  x.dispose();
}
