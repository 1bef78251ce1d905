import type { GPUErrorLog } from './errors.js';

/**
 * Compute pipelines cached by a key that names everything the shader text depends on (op,
 * dtype, tile shape, …) and nothing it does not (shapes travel in uniforms), so a model compiles
 * a handful of pipelines, not one per shape.
 */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly device: GPUDevice;
  private readonly errors: GPUErrorLog;
  constructor(device: GPUDevice, errors: GPUErrorLog) {
    this.device = device;
    this.errors = errors;
  }

  get size(): number {
    return this.pipelines.size;
  }

  get(key: string, name: string, code: () => string): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (pipeline) return pipeline;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code: code(), label: name });
    pipeline = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: name });
    void this.device.popErrorScope().then((error) => {
      if (error) this.errors.recordCompileError(`kernel '${name}' (${key}) failed to compile: ${error.message}`);
    });
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  /** Compiles a pipeline ahead of use (createComputePipelineAsync); later `get` calls hit the cache. */
  async warm(key: string, name: string, code: () => string): Promise<void> {
    if (this.pipelines.has(key)) return;
    const module = this.device.createShaderModule({ code: code(), label: name });
    const pipeline = await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: name });
    this.pipelines.set(key, pipeline);
  }
}
