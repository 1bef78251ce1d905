// One training step of the reference MNIST conv CVAE (ps.models.mnistConv) at batch 64: forward
// (prior and recognition encoders, reparameterisation, generator), the loss (Bernoulli
// reconstruction + KL, summed over the batch), backward, and an Adam update — the step that
// trainCVAE runs (src/perturbation/train.ts), on fixed random images.

export const meta = {
  name: 'cvae-step',
  title: 'MNIST conv CVAE training step, batch 64 (ms, best of 3)',
  portable: true,
};

export async function run(ctx) {
  const { ps, quick } = ctx;
  const N = 64;
  const [km, kx, kt] = ps.random.split(ps.random.key(3), 3);
  const cvae = ps.models.mnistConv({ key: km });
  cvae.train();
  const params = cvae.parameters();
  const optimizer = new ps.optim.Adam(params, { lr: 1e-3 });
  const x = ps.random.uniform(kx, [N, 1, 28, 28]);
  const xt = ps.random.uniform(kt, [N, 1, 28, 28]);
  let step = 0;
  const body = () => {
    const noise = ps.random.foldIn(ps.random.key(11), step++);
    ps.tidy(() => {
      const lossOf = () => {
        const out = cvae.forward(x, xt, noise);
        return ps.cvaeLoss(xt, out, { beta: 1, distribution: 'bernoulli', reduction: 'sum' }).loss;
      };
      const [, grads] = ps.valueAndGrad(lossOf)(params);
      optimizer.step(grads);
    });
  };
  const { ms } = await ctx.timeGpu(body, { warmup: 2, minMs: quick ? 1000 : 3000, trials: quick ? 2 : 3 });
  ctx.report({ case: 'forward + backward + Adam, ms', value: ms, unit: 'ms' });
  const queue = ps.runtime().queue;
  const d0 = queue.dispatches;
  const s0 = queue.submits;
  body();
  await ps.flush();
  ctx.report({ case: 'dispatches per step', value: queue.dispatches - d0, unit: '' });
  ctx.report({ case: 'submits per step', value: queue.submits - s0, unit: '' });
  optimizer.dispose();
  for (const t of [x, xt, ...params]) t.dispose();
}
