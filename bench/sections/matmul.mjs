// Matmul throughput: square products through the public op (the kernel chosen for this adapter),
// every kernel variant forced through the internal entry point, and the transposed layouts the
// VJPs use. GFLOP/s = 2·M·N·K / time.

export const meta = {
  name: 'matmul',
  title: 'matmul, float32 (GFLOP/s, best of 5)',
  portable: true,
};

const VARIANTS = ['tiled', 'register', 'subgroup'];

/** Extra tiles swept with --full (each is a separate pipeline; variants the device lacks are skipped). */
function sweepTiles(sg) {
  const tiles = [
    ['tiled', { wgX: 8, wgY: 8, rm: 4, cn: 1, tileK: 16 }],
    ['tiled', { wgX: 16, wgY: 16, rm: 4, cn: 1, tileK: 16 }],
    ['tiled', { wgX: 16, wgY: 8, rm: 8, cn: 1, tileK: 8 }],
    ['register', { wgX: 8, wgY: 8, rm: 4, cn: 1, tileK: 4 }],
    ['register', { wgX: 8, wgY: 4, rm: 8, cn: 2, tileK: 4 }],
    ['register', { wgX: 4, wgY: 4, rm: 8, cn: 2, tileK: 4 }],
  ];
  if (sg > 0) for (const rm of [sg, 2 * sg, 4 * sg, 8 * sg].filter((r) => r % 4 === 0 && r <= 64)) {
    tiles.push(['subgroup', { wgX: sg, wgY: 1, rm, cn: 1, tileK: 4 }]);
    if (rm <= 32) tiles.push(['subgroup', { wgX: sg, wgY: 1, rm, cn: 2, tileK: 4 }]);
  }
  return tiles;
}

const tileName = (variant, t) =>
  variant === 'tiled' ? `${t.wgY * t.rm}×${t.wgX * 4} tile, k${t.tileK}` : variant === 'register' ? `${t.wgX}×${t.wgY} × ${t.rm}×${4 * (t.cn ?? 1)}` : `${t.wgX} lanes × ${t.rm}×${4 * (t.cn ?? 1)}`;

export async function run(ctx) {
  const { ps, internals, quick, full } = ctx;
  const sizes = quick ? [256, 512] : [256, 512, 1024];
  const rt = internals.runtime();
  const sg = internals.fixedSubgroupSize(rt);
  const gflops = (n, ms) => (2 * n ** 3) / ms / 1e6;
  // Best of 5: the CI machine is shared and its load swings the numbers by ±30 %. Slow kernels on
  // slow adapters still take only a few seconds per size.
  const opts = { minMs: quick ? 300 : 600, trials: quick ? 3 : 5 };

  for (const n of sizes) {
    const auto = internals.matmulConfig(rt, n);
    const A = ps.full([n, n], 0.5);
    const B = ps.full([n, n], 0.25);
    const { ms } = await ctx.timeGpu(() => ps.matmul(A, B).dispose(), opts);
    ctx.report({ case: `${n}³ ps.matmul`, value: gflops(n, ms), unit: 'GFLOP/s', note: `${auto.variant} ${tileName(auto.variant, auto.tile)}` });
    A.dispose();
    B.dispose();
  }

  const configs = [...VARIANTS.map((v) => [v, undefined]), ...(full ? sweepTiles(sg) : [])];
  for (const [variant, tile] of configs) {
    for (const n of sizes) {
      const label = `${n}³ ${variant}${tile ? ` (${tileName(variant, tile)})` : ''}`;
      const A = internals.full([n, n], 0.5);
      const B = internals.full([n, n], 0.25);
      const call = { op: 'bench', a: A, b: B, transA: false, transB: false, M: n, N: n, K: n, batch: 1, batchStrideA: 0, batchStrideB: 0, variant, tile };
      try {
        internals.matmulKernel(call).dispose();
      } catch (err) {
        ctx.report({ case: label, value: null, unit: 'GFLOP/s', note: `unavailable: ${err.message.replace(/^matmul: /, '').slice(0, 80)}` });
        A.dispose();
        B.dispose();
        break;
      }
      const { ms } = await ctx.timeGpu(() => internals.matmulKernel(call).dispose(), { ...opts, flush: internals.flush });
      const used = tile ?? (variant === internals.matmulConfig(rt, n).variant ? internals.matmulConfig(rt, n).tile : null);
      ctx.report({ case: label, value: gflops(n, ms), unit: 'GFLOP/s', note: used && !tile ? tileName(variant, used) : '' });
      A.dispose();
      B.dispose();
    }
  }

  // The layouts of the backward pass (dA = dC·Bᵀ, dB = Aᵀ·dC), through the public op.
  const n = quick ? 256 : 512;
  const A = ps.full([n, n], 0.5);
  const B = ps.full([n, n], 0.25);
  for (const [ta, tb] of [[false, true], [true, false], [true, true]]) {
    const { ms } = await ctx.timeGpu(() => ps.matmul(A, B, { transposeA: ta, transposeB: tb }).dispose(), opts);
    ctx.report({ case: `${n}³ ps.matmul ${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}`, value: gflops(n, ms), unit: 'GFLOP/s' });
  }
  // A linear layer with its fused epilogue: batch 128, 784 → 1024, bias + relu.
  const x = ps.full([128, 784], 0.5);
  const w = ps.full([1024, 784], 0.01);
  const bias = ps.zeros([1024]);
  const { ms } = await ctx.timeGpu(() => ps.linear(x, w, bias, 'relu').dispose(), opts);
  ctx.report({ case: 'linear 128×784 → 1024 +bias, relu', value: (2 * 128 * 784 * 1024) / ms / 1e6, unit: 'GFLOP/s' });
  for (const t of [A, B, x, w, bias]) t.dispose();
}
