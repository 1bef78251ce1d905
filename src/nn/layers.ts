import type { Key } from '../random/key.js';
import { batchNorm } from '../ops/batchnorm.js';
import { conv2d } from '../ops/conv.js';
import { binary, unary } from '../ops/elementwise.js';
import { assign } from '../tensor/assign.js';
import { fused } from '../ops/fused.js';
import { linear } from '../ops/matmul.js';
import { maxPool2d, upsampleNearest } from '../ops/pool.js';
import { flatten } from '../ops/shape-ops.js';
import { full, ones, zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { fanInUniform, kaimingUniformA5, layerKey, splitKey } from './init.js';
import { Module } from './module.js';

type Pair = number | readonly [number, number];

export interface Conv2dLayerOptions {
  stride?: Pair;
  padding?: Pair;
  bias?: boolean;
  key?: Key;
}

/** nn.Conv2d: weight [out, in, k, k], bias [out]; PyTorch's default initialisation. */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly stride: Pair;
  readonly padding: Pair;
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, opts: Conv2dLayerOptions = {}) {
    super();
    for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Conv2d: ${name} must be a positive integer, got ${v}`);
    }
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const [kWeight, kBias] = splitKey(layerKey(opts.key));
    const fanIn = inChannels * kh * kw;
    this.weight = this.param('weight', kaimingUniformA5(kWeight, [outChannels, inChannels, kh, kw], fanIn))!;
    this.bias = this.param('bias', opts.bias === false ? null : fanInUniform(kBias, [outChannels], fanIn));
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
  }
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

export interface LinearOptions {
  bias?: boolean;
  key?: Key;
}

/** nn.Linear: weight [out, in], bias [out]. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [name, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    const [kWeight, kBias] = splitKey(layerKey(opts.key));
    this.weight = this.param('weight', kaimingUniformA5(kWeight, [outFeatures, inFeatures], inFeatures))!;
    this.bias = this.param('bias', opts.bias === false ? null : fanInUniform(kBias, [outFeatures], inFeatures));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

export interface BatchNormLayerOptions {
  eps?: number;
  momentum?: number;
}

/** nn.BatchNorm2d (also accepts [N, C] inputs): affine weight/bias, running statistics as buffers. */
export class BatchNorm2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly running_mean: Tensor;
  readonly running_var: Tensor;
  readonly num_batches_tracked: Tensor;
  readonly eps: number;
  readonly momentum: number;
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) throw new RangeError(`BatchNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    this.weight = this.param('weight', ones([numFeatures]))!;
    this.bias = this.param('bias', zeros([numFeatures]))!;
    this.running_mean = this.buffer('running_mean', zeros([numFeatures]))!;
    this.running_var = this.buffer('running_var', ones([numFeatures]))!;
    this.num_batches_tracked = this.buffer('num_batches_tracked', full([], 0, 'int32'))!;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
  }
  forward(x: Tensor): Tensor {
    if (this.training) {
      const next = binary('add', this.num_batches_tracked, 1);
      assign(this.num_batches_tracked, next);
      next.dispose();
    }
    return batchNorm(x, this.running_mean, this.running_var, this.weight, this.bias, { training: this.training, momentum: this.momentum, eps: this.eps });
  }
}

/** Applies its children in order; they are named '0', '1', … as in PyTorch. */
export class Sequential extends Module {
  readonly length: number;
  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) throw new TypeError(`Sequential: argument ${i} is not a Module`);
      (this as unknown as Record<string, Module>)[String(i)] = layer;
    });
    this.length = layers.length;
  }
  at(i: number): Module {
    return (this as unknown as Record<string, Module>)[String(i)]!;
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.length; i++) {
      const next = (this.at(i) as { forward(t: Tensor): Tensor }).forward(h);
      if (h !== x && h !== next) h.dispose();
      h = next;
    }
    return h;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return unary('relu', x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return unary('sigmoid', x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return unary('tanh', x);
  }
}

/**
 * tanh rescaled to (lower, upper) as in the reference's ScaledTanh (default range
 * [ln 1e−3, ln 10], used for log-variances): tanh(x)·(lower − upper)/2 + (lower + upper)/2, so
 * tanh = +1 gives `lower`.
 */
export class ScaledTanh extends Module {
  readonly scale: number;
  readonly shift: number;
  constructor(opts: { lower?: number; upper?: number } = {}) {
    super();
    const lower = opts.lower ?? Math.log(1e-3);
    const upper = opts.upper ?? Math.log(10);
    this.scale = (lower - upper) / 2;
    this.shift = (lower + upper) / 2;
  }
  forward(x: Tensor): Tensor {
    return fused('ScaledTanh', { expr: 'tanh_f32(x) * s + c', grads: { x: 'dy * s * (1.0 - tanh_f32(x) * tanh_f32(x))' } }, [
      { name: 'x', value: x },
      { name: 's', value: this.scale },
      { name: 'c', value: this.shift },
    ]);
  }
}

export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  readonly stride: Pair | undefined;
  constructor(kernelSize: Pair, stride?: Pair) {
    super();
    this.kernelSize = kernelSize;
    this.stride = stride;
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.stride);
  }
}

export class UpsamplingNearest2d extends Module {
  readonly scaleFactor: Pair;
  constructor(opts: { scaleFactor: Pair }) {
    super();
    this.scaleFactor = opts.scaleFactor;
  }
  forward(x: Tensor): Tensor {
    return upsampleNearest(x, this.scaleFactor);
  }
}

/** nn.Flatten: merges all dimensions after the first. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return flatten(x, 1);
  }
}
