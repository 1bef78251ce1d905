import { BufferPool, READBACK_USAGE, UNIFORM_USAGE } from './buffer-pool.js';
import type { GPUErrorLog } from './errors.js';

export interface Binding {
  buffer: GPUBuffer;
  /** Bytes bound, from offset 0; a multiple of 4 and > 0. */
  size: number;
}

const UNIFORM_ARENA_BYTES = 16 * 1024;

/**
 * One shared command encoder for all kernels: dispatches accumulate in a compute pass and are
 * submitted every `flushEvery` dispatches, before any readback, and on `flush()`. Kernel
 * parameters for a whole batch live in one uniform buffer, written once per submit.
 */
export class CommandQueue {
  flushEvery = 16;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatchesInBatch = 0;
  private opsInBatch: string[] = [];
  private readonly uniformStaging = new Uint8Array(UNIFORM_ARENA_BYTES);
  private uniformBuffer: GPUBuffer | null = null;
  private uniformUsed = 0;
  /** Total submits and dispatches, for benchmarks and tests. */
  submits = 0;
  dispatches = 0;
  private readonly device: GPUDevice;
  private readonly pool: BufferPool;
  private readonly errors: GPUErrorLog;
  private readonly uniformAlign: number;

  constructor(device: GPUDevice, pool: BufferPool, errors: GPUErrorLog) {
    this.device = device;
    this.pool = pool;
    this.errors = errors;
    this.uniformAlign = device.limits.minUniformBufferOffsetAlignment || 256;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) this.pass = this.encoder.beginComputePass();
    return this.pass;
  }

  private commandEncoder(): GPUCommandEncoder {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Places kernel parameters in this batch's uniform arena; flushes first when it is full. */
  private uniformBinding(bytes: Uint8Array): GPUBufferBinding {
    const slot = Math.ceil(bytes.byteLength / this.uniformAlign) * this.uniformAlign;
    if (this.uniformUsed + slot > UNIFORM_ARENA_BYTES) this.flush();
    if (!this.uniformBuffer) this.uniformBuffer = this.pool.acquire(UNIFORM_ARENA_BYTES, UNIFORM_USAGE, 'uniform arena');
    const offset = this.uniformUsed;
    this.uniformStaging.set(bytes, offset);
    this.uniformUsed += slot;
    return { buffer: this.uniformBuffer, offset, size: bytes.byteLength };
  }

  dispatch(
    name: string,
    pipeline: GPUComputePipeline,
    bindings: readonly Binding[],
    uniforms: Uint8Array | null,
    workgroups: readonly [number, number, number],
  ): void {
    this.errors.throwIfLost(name);
    const entries: GPUBindGroupEntry[] = bindings.map((b, i) => ({ binding: i, resource: { buffer: b.buffer, offset: 0, size: b.size } }));
    if (uniforms) entries.push({ binding: bindings.length, resource: this.uniformBinding(uniforms) });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: name });
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
    this.opsInBatch.push(name);
    this.dispatches++;
    if (++this.dispatchesInBatch >= this.flushEvery) this.flush();
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.errors.throwIfLost('copy');
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submits everything encoded so far and recycles the buffers released before it. */
  flush(): void {
    if (this.encoder) {
      if (this.pass) {
        this.pass.end();
        this.pass = null;
      }
      if (this.uniformBuffer) {
        this.device.queue.writeBuffer(this.uniformBuffer, 0, this.uniformStaging, 0, this.uniformUsed);
      }
      this.device.queue.submit([this.encoder.finish()]);
      this.submits++;
      this.errors.recordOps(this.opsInBatch);
      this.encoder = null;
    }
    if (this.uniformBuffer) {
      this.pool.release(this.uniformBuffer);
      this.uniformBuffer = null;
    }
    this.uniformUsed = 0;
    this.dispatchesInBatch = 0;
    this.opsInBatch = [];
    this.pool.afterSubmit();
  }

  /** Copies `bytes` from `buffer` to the CPU (submitting all queued work first). */
  async read(buffer: GPUBuffer, offset: number, bytes: number, what: string): Promise<ArrayBuffer> {
    if (bytes === 0) return new ArrayBuffer(0);
    const staging = this.pool.acquire(bytes, READBACK_USAGE, 'readback');
    this.copy(buffer, offset, staging, 0, bytes);
    this.flush();
    try {
      await staging.mapAsync(0x0001 /* GPUMapMode.READ */, 0, bytes);
    } catch (err) {
      this.errors.throwIfFailed(what);
      throw new Error(`perturbset: reading back ${what} failed: ${(err as Error).message}`);
    }
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    this.pool.release(staging);
    this.errors.throwIfFailed(what);
    return copy;
  }

  /** Waits until the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.errors.throwIfFailed('flush()');
  }
}
