// The smallest end-to-end GPU check, independent of the tensor runtime: get a device the way the
// library does, run one compute shader, read the result back. Runs in Node, Chromium and Deno.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { acquireDevice, type AdapterInfo } from '../../src/gpu/device.js';

const WORKGROUP_SIZE = 64;
const N = 1000; // deliberately not a multiple of WORKGROUP_SIZE: the bounds check matters

// The WebGPU spec's flag values. Node's \`webgpu\` package does not install the GPUBufferUsage /
// GPUMapMode globals unless asked to, and this test must not depend on the library doing it.
const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const MAP_MODE_READ = 0x01;

const ADD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i < arrayLength(&c)) {
    c[i] = a[i] + b[i];
  }
}
`;

function storageBuffer(device: GPUDevice, data: Float32Array): GPUBuffer {
  const buffer = device.createBuffer({ size: data.byteLength, usage: STORAGE | COPY_SRC, mappedAtCreation: true });
  new Float32Array(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

describe('WebGPU smoke', () => {
  let device: GPUDevice;
  let adapterInfo: AdapterInfo;

  beforeAll(async () => {
    ({ device, adapterInfo } = await acquireDevice());
  });

  afterAll(() => {
    device?.destroy();
  });

  it('acquires a device with compute limits', () => {
    expect(adapterInfo).toHaveProperty('vendor');
    expect(device.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(WORKGROUP_SIZE);
    expect(device.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(3);
  });

  it(`adds two vectors of ${N} f32 in a compute shader and reads the sum back`, async () => {
    const a = Float32Array.from({ length: N }, (_, i) => i * 0.5);
    const b = Float32Array.from({ length: N }, (_, i) => 1000 - i * 0.25);
    const expected = a.map((x, i) => x + b[i]!);

    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: ADD_WGSL });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bufA = storageBuffer(device, a);
    const bufB = storageBuffer(device, b);
    const bufC = device.createBuffer({ size: N * 4, usage: STORAGE | COPY_SRC });
    const readback = device.createBuffer({ size: N * 4, usage: MAP_READ | COPY_DST });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [bufA, bufB, bufC].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });

    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(N / WORKGROUP_SIZE));
    pass.end();
    encoder.copyBufferToBuffer(bufC, 0, readback, 0, N * 4);
    device.queue.submit([encoder.finish()]);
    const validation = await device.popErrorScope();
    expect(validation?.message).toBeUndefined();

    await readback.mapAsync(MAP_MODE_READ);
    const c = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    for (const buffer of [bufA, bufB, bufC, readback]) buffer.destroy();

    expect(c).toHaveLength(N);
    // Every sum here is exact in f32 (multiples of 0.25 below 2^12).
    expect(c).toEqual(expected);
  });
});
