// CIFAR-10-C corruptions (ps.data.corrupt, severity 5 as in the paper) on a batch of 256
// synthetic 32×32 images: images per second on the GPU path (for the 15 corruptions with a GPU
// port) and on the CPU reference path (all 19; reading x back, corrupting in float64/uint8 TS,
// uploading the result). Both include the call's readbacks, as a user sees them.

export const meta = {
  name: 'corruptions',
  title: 'corrupt 256 images 32×32, severity 5 (images/s, best of trials)',
  portable: true,
};

export async function run(ctx) {
  const { ps, quick } = ctx;
  const batch = quick ? 64 : 256;
  const data = ps.data.synthetic(ps.random.key(1), batch);
  const { x, y } = data.batch(Int32Array.from({ length: batch }, (_, i) => i));
  y.dispose();
  const key = ps.random.key(2);
  for (const { name } of ps.data.CORRUPTIONS) {
    const once = (backend) => async () => {
      const out = await ps.data.corrupt(key, x, name, 5, { backend });
      out.dispose();
    };
    if (ps.data.corruptionHasGPU(name)) {
      const { ms } = await ctx.timeGpu(once('gpu'), { warmup: 1, minMs: quick ? 150 : 500, trials: quick ? 2 : 3 });
      ctx.report({ case: `${name}, GPU`, value: (batch / ms) * 1000, unit: 'images/s' });
    }
    const cpuMs = await ctx.timeRoundTrip(once('cpu'), { warmup: 1, reps: quick ? 1 : 2, trials: 2 });
    ctx.report({ case: `${name}, CPU`, value: (batch / cpuMs) * 1000, unit: 'images/s' });
  }
  x.dispose();
}
