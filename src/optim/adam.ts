import optimSource from '../../shaders/optim.wgsl';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, shaderSection } from '../gpu/wgsl.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type OptimizerState } from './optimizer.js';

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** torch.optim.Adam (bias-corrected; weight decay as L2 on the gradient), one fused kernel per parameter. */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly expAvg: Tensor[];
  private readonly expAvgSq: Tensor[];

  constructor(params: Iterable<Tensor>, opts: AdamOptions = {}) {
    super('Adam', params, opts.lr ?? 1e-3);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    for (const [name, v] of [['betas[0]', this.beta1], ['betas[1]', this.beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`Adam: ${name} must be in [0, 1), got ${v}`);
    }
    if (!(this.eps >= 0)) throw new RangeError(`Adam: eps must be ≥ 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`Adam: weightDecay must be ≥ 0, got ${this.weightDecay}`);
    this.expAvg = this.params.map((p) => this.persistent(zeros(p.shape)));
    this.expAvgSq = this.params.map((p) => this.persistent(zeros(p.shape)));
  }

  protected update(i: number, param: Tensor, grad: Tensor): void {
    if (param.size === 0) return;
    const t = this.stepCount;
    // Bias corrections in float64, as PyTorch computes them in Python floats.
    const biasCorrection1 = 1 - this.beta1 ** t;
    const biasCorrection2 = 1 - this.beta2 ** t;
    const uniforms = new UniformWriter()
      .u32(param.size)
      .f32(this.beta1)
      .f32(this.beta2)
      .f32(this.eps)
      .f32(this.weightDecay)
      .f32(this.lr / biasCorrection1)
      .f32(Math.sqrt(biasCorrection2));
    launch(
      { name: 'Adam.step', key: 'optim|adam', wgsl: () => WGSL_COMMON + shaderSection(optimSource, 'adam') },
      {
        bindings: [param.binding('Adam.step'), grad.binding('Adam.step'), this.expAvg[i]!.binding('Adam.step'), this.expAvgSq[i]!.binding('Adam.step')],
        uniforms,
        workgroups: Math.ceil(param.size / 256),
      },
    );
  }

  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    this.params.forEach((_, i) => {
      tensors[`state.${i}.exp_avg`] = this.expAvg[i]!;
      tensors[`state.${i}.exp_avg_sq`] = this.expAvgSq[i]!;
    });
    return { tensors, meta: { step: this.stepCount, lr: this.lr, betas: [this.beta1, this.beta2], eps: this.eps, weightDecay: this.weightDecay } };
  }

  loadStateDict(state: OptimizerState): void {
    this.checkState(state);
    this.restoreAll(state);
    this.stepCount = state.meta.step as number;
    if (typeof state.meta.lr === 'number') this.setLr(state.meta.lr);
  }

  dispose(): void {
    for (const t of [...this.expAvg, ...this.expAvgSq]) t.dispose();
  }
}
