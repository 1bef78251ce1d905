// conv2d throughput on the conv layers of the reference MNIST CVAE at batch 64 (3×3, padding 1):
// forward (bias + the layer's activation fused) and forward + backward (input, weight and bias
// gradients of sum(conv2d(x, w, b))) through the public op, then each pass alone with the kernel
// chosen for this adapter (internal entry points; the weight gradient includes the sum of its
// partial results) and, with --full, every kernel variant. GFLOP/s counts 2·N·OC·OH·OW·C·9 per
// pass: forward = 1 pass, forward + backward = 3 (forward, input gradient, weight gradient; the
// bias gradient and the activation gradient are not counted).

export const meta = {
  name: 'conv',
  title: 'conv2d, MNIST CVAE layers at batch 64 (ms and GFLOP/s, best of 5)',
  portable: true,
};

const LAYERS = [
  { name: '1→32 @28×28', C: 1, OC: 32, H: 28, act: 'relu' },
  { name: '32→64 @14×14', C: 32, OC: 64, H: 14, act: 'relu' },
  { name: '64→128 @7×7', C: 64, OC: 128, H: 7, act: 'none' },
];

function describe(config) {
  if (!config.tile) return config.variant;
  const t = config.tile;
  const lanes = t.sg > 1 ? `${t.sg} lanes` : `${t.wg ?? 8} invocations`;
  if (config.wgradKind === 'wgrad_oc') return `${config.variant} wgrad_oc, ${lanes} × ${t.rl} out-ch × ${t.cb} in-ch, ${t.tw} px`;
  if (config.wgradKind === 'wgrad_ic') return `${config.variant} wgrad_ic, ${lanes} × ${t.ro} out-ch, ${t.tw} px`;
  return `${config.variant}, ${lanes} × ${t.tw} px × ${t.ro} ch`;
}

export async function run(ctx) {
  const { ps, internals, quick, full } = ctx;
  const N = 64;
  const opts = { minMs: quick ? 300 : 600, trials: quick ? 3 : 5 };
  const rt = internals.runtime();
  for (const l of LAYERS) {
    const [kx, kw] = ps.random.split(ps.random.key(7), 2);
    const x = ps.random.uniform(kx, [N, l.C, l.H, l.H]);
    const w = ps.mul(ps.random.normal(kw, [l.OC, l.C, 3, 3]), 0.1);
    const b = ps.zeros([l.OC]);
    const convOpts = { padding: 1, activation: l.act };
    const flop = 2 * N * l.OC * l.H * l.H * l.C * 9;
    const gflops = (passes, ms) => (passes * flop) / ms / 1e6;

    const fwd = await ctx.timeGpu(() => ps.conv2d(x, w, b, convOpts).dispose(), opts);
    ctx.report({ case: `${l.name} forward, ms`, value: fwd.ms, unit: 'ms' });
    ctx.report({ case: `${l.name} forward, GFLOP/s`, value: gflops(1, fwd.ms), unit: 'GFLOP/s' });
    const step = ps.valueAndGrad((xx, ww, bb) => ps.sum(ps.conv2d(xx, ww, bb, convOpts)), { argnums: [0, 1, 2] });
    const both = await ctx.timeGpu(() => {
      const [v, grads] = step(x, w, b);
      v.dispose();
      for (const g of grads) g.dispose();
    }, opts);
    ctx.report({ case: `${l.name} fwd+bwd, ms`, value: both.ms, unit: 'ms' });
    ctx.report({ case: `${l.name} fwd+bwd, GFLOP/s`, value: gflops(3, both.ms), unit: 'GFLOP/s' });
    for (const t of [x, w, b]) t.dispose();

    // Each pass alone through the internal entry points (the same kernels ps.conv2d chooses).
    const xi = internals.random.uniform(internals.random.key(1), [N, l.C, l.H, l.H]);
    const wi = internals.mul(internals.random.normal(internals.random.key(2), [l.OC, l.C, 3, 3]), 0.1);
    const dy = internals.random.uniform(internals.random.key(3), [N, l.OC, l.H, l.H]);
    const g = internals.convGeometry('conv2d', xi, wi, { padding: 1 });
    const iflush = { ...opts, flush: internals.flush };
    const passes = [
      ['forward', (force) => internals.convForward(xi, wi, g, null, 'none', force).dispose()],
      ['input grad', (force) => internals.convInputGradient(dy, wi, g, force).dispose()],
      ['weight grad', (force) => {
        const { partials, splits } = internals.convWeightGradient(dy, xi, g, force);
        if (splits > 1) internals.sum(partials.view([splits, wi.size]), 0).dispose();
        partials.dispose();
      }],
    ];
    const passName = { forward: 'forward', 'input grad': 'dgrad', 'weight grad': 'wgrad' };
    for (const [name, fn] of passes) {
      const chosen = internals.convConfig(rt, passName[name], g);
      const r = await ctx.timeGpu(() => fn(undefined), iflush);
      ctx.report({ case: `${l.name} ${name} alone, GFLOP/s`, value: gflops(1, r.ms), unit: 'GFLOP/s', note: describe(chosen) });
      if (!full) continue;
      const swiftshader = internals.adapterKind(rt.adapterInfo) === 'swiftshader';
      for (const variant of ['tiled', 'lanes', 'register', 'subgroup']) {
        if (variant === chosen.variant) continue;
        if (swiftshader && name === 'weight grad' && (variant === 'register' || variant === 'subgroup')) {
          // SwiftShader compiles these tiles for minutes and Chromium then loses the device.
          ctx.report({ case: `${l.name} ${name}, ${variant}`, value: null, unit: 'GFLOP/s', note: 'not run: SwiftShader compiles it for minutes' });
          continue;
        }
        try {
          fn({ variant });
        } catch (err) {
          ctx.report({ case: `${l.name} ${name}, ${variant}`, value: null, unit: 'GFLOP/s', note: `unavailable: ${String(err.message).slice(0, 60)}` });
          continue;
        }
        const v = await ctx.timeGpu(() => fn({ variant }), { ...iflush, trials: 3 });
        ctx.report({ case: `${l.name} ${name}, ${variant}`, value: gflops(1, v.ms), unit: 'GFLOP/s' });
      }
    }
    for (const t of [xi, wi, dy]) t.dispose();
  }
}
