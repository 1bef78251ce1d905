// Per-dispatch overhead: what a tiny kernel costs when many are batched (through the library's
// queue, and as raw WebGPU for comparison), and the submit + wait round trips that every
// readback or flush pays.

export const meta = {
  name: 'dispatch',
  title: 'dispatch overhead (µs, best of 3)',
  portable: true,
};

const TINY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(1)
fn main() { x[0] = x[0] + 1.0; }
`;

export async function run(ctx) {
  const { ps } = ctx;
  const OPS = 1000;

  // Library: 1000 dependent elementwise ops on a 4-element tensor, one flush.
  {
    const x0 = ps.zeros([4]);
    const { ms } = await ctx.timeGpu(() => {
      let y = ps.add(x0, 1);
      for (let i = 1; i < OPS; i++) {
        const z = ps.add(y, 1);
        y.dispose();
        y = z;
      }
      y.dispose();
    }, { minMs: 600 });
    ctx.report({ case: `tiny op (ps.add on [4]), ${OPS} batched, per op`, value: (ms / OPS) * 1000, unit: 'µs' });
    x0.dispose();
  }

  // Raw WebGPU on the same device: 1000 dispatches of a 1-invocation kernel in one compute pass and
  // one submit; the floor under any library.
  {
    const device = ps.runtime().device;
    const module = device.createShaderModule({ code: TINY_WGSL });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const buffer = device.createBuffer({ size: 16, usage: 0x80 /* STORAGE */ });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] });
    const submitBatch = async () => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      for (let i = 0; i < OPS; i++) {
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(1);
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    const ms = await ctx.timeRoundTrip(submitBatch, { warmup: 2, reps: 5 });
    ctx.report({ case: `raw WebGPU dispatch, ${OPS} per submit, per dispatch`, value: (ms / OPS) * 1000, unit: 'µs' });
    const one = async () => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    ctx.report({ case: 'raw WebGPU submit 1 dispatch + onSubmittedWorkDone', value: (await ctx.timeRoundTrip(one)) * 1000, unit: 'µs' });
    buffer.destroy();
  }

  // Library round trips.
  {
    const x = ps.zeros([4]);
    const submitWait = async () => {
      ps.add(x, 1).dispose();
      await ps.flush();
    };
    ctx.report({ case: 'one op + ps.flush() (submit + wait)', value: (await ctx.timeRoundTrip(submitWait)) * 1000, unit: 'µs' });
    ctx.report({ case: 'ps.flush() with nothing queued', value: (await ctx.timeRoundTrip(() => ps.flush())) * 1000, unit: 'µs' });
    const readBack = async () => {
      await x.data();
    };
    ctx.report({ case: 'tensor.data() of 4 floats (copy + map)', value: (await ctx.timeRoundTrip(readBack)) * 1000, unit: 'µs' });
    x.dispose();
  }
}
