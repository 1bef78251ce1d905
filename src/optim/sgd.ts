import optimSource from '../../shaders/optim.wgsl';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, shaderSection } from '../gpu/wgsl.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type OptimizerState } from './optimizer.js';

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

/** torch.optim.SGD with momentum, dampening, Nesterov and weight decay; one fused kernel per parameter. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buffers: Tensor[];
  private readonly started: boolean[];

  constructor(params: Iterable<Tensor>, opts: SGDOptions = {}) {
    super('SGD', params, opts.lr ?? 1e-3);
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (!(this.momentum >= 0)) throw new RangeError(`SGD: momentum must be ≥ 0, got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`SGD: weightDecay must be ≥ 0, got ${this.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: Nesterov momentum requires momentum > 0 and dampening = 0');
    this.buffers = this.params.map((p) => this.persistent(zeros(this.momentum > 0 ? p.shape : [1])));
    this.started = this.params.map(() => false);
  }

  protected update(i: number, param: Tensor, grad: Tensor): void {
    if (param.size === 0) return;
    const uniforms = new UniformWriter()
      .u32(param.size)
      .f32(this.lr)
      .f32(this.momentum)
      .f32(this.dampening)
      .f32(this.weightDecay)
      .u32(this.nesterov ? 1 : 0)
      .u32(this.started[i] ? 0 : 1);
    launch(
      { name: 'SGD.step', key: 'optim|sgd', wgsl: () => WGSL_COMMON + shaderSection(optimSource, 'sgd') },
      { bindings: [param.binding('SGD.step'), grad.binding('SGD.step'), this.buffers[i]!.binding('SGD.step')], uniforms, workgroups: Math.ceil(param.size / 256) },
    );
    this.started[i] = true;
  }

  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    if (this.momentum > 0) this.params.forEach((_, i) => (tensors[`state.${i}.momentum_buffer`] = this.buffers[i]!));
    return {
      tensors,
      meta: { step: this.stepCount, lr: this.lr, momentum: this.momentum, dampening: this.dampening, weightDecay: this.weightDecay, nesterov: this.nesterov, started: this.started.map(Number) },
    };
  }

  loadStateDict(state: OptimizerState): void {
    this.checkState(state);
    this.restoreAll(state);
    const started = state.meta.started;
    if (Array.isArray(started) && started.length === this.started.length) started.forEach((s, i) => (this.started[i] = s === 1));
    else this.started.fill(this.stepCount > 0);
    this.stepCount = state.meta.step as number;
    if (typeof state.meta.lr === 'number') this.setLr(state.meta.lr);
  }

  dispose(): void {
    for (const t of this.buffers) t.dispose();
  }
}
