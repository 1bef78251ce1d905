import { conv2d } from '../../ops/conv.js';
import { maxPool2d, upsampleNearest } from '../../ops/pool.js';
import { concat } from '../../ops/shape-ops.js';
import { Conv2d, MaxPool2d, UpsamplingNearest2d } from '../../nn/layers.js';
import { Module } from '../../nn/module.js';
import type { Key } from '../../random/key.js';
import { split } from '../../random/key.js';
import { unary } from '../../ops/elementwise.js';
import { tidy } from '../../tensor/tracking.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CVAE } from '../cvae.js';
import { layerKey as defaultModelKey } from '../../nn/init.js';

/**
 * The reference `mnist_conv` CVAE (perturbation_learning/mnist_conv.py): convolutional encoders
 * to a spatial latent [128, 7, 7] and a generator that upsamples it while re-injecting x at every
 * scale. Parameter names match the reference state dict.
 */
abstract class Encoder extends Module {
  readonly conv1: Conv2d;
  readonly pooling = new MaxPool2d(2);
  readonly conv2: Conv2d;
  readonly conv31: Conv2d;
  readonly conv32: Conv2d;
  constructor(inputChannels: number, key: Key) {
    super();
    const [k1, k2, k3, k4] = split(key, 4) as [Key, Key, Key, Key];
    this.conv1 = new Conv2d(inputChannels, 32, 3, { padding: 1, key: k1 });
    this.conv2 = new Conv2d(32, 64, 3, { padding: 1, key: k2 });
    this.conv31 = new Conv2d(64, 128, 3, { padding: 1, key: k3 });
    this.conv32 = new Conv2d(64, 128, 3, { padding: 1, key: k4 });
  }
  encode(x: Tensor): [Tensor, Tensor] {
    return tidy(() => {
      let h = maxPool2d(conv2d(x, this.conv1.weight, this.conv1.bias, { padding: 1, activation: 'relu' }), 2);
      h = maxPool2d(conv2d(h, this.conv2.weight, this.conv2.bias, { padding: 1, activation: 'relu' }), 2);
      return [this.conv31.forward(h), this.conv32.forward(h)];
    });
  }
}

class Prior extends Encoder {
  constructor(key: Key) {
    super(1, key);
  }
  forward(x: Tensor): [Tensor, Tensor] {
    return this.encode(x);
  }
}

class Recognition extends Encoder {
  constructor(key: Key) {
    super(2, key);
  }
  forward(x: Tensor, xt: Tensor): [Tensor, Tensor] {
    return tidy(() => this.encode(concat([x, xt], 1)));
  }
}

class Generator extends Module {
  readonly downsample3: Conv2d;
  readonly downsample4: Conv2d;
  readonly upsample = new UpsamplingNearest2d({ scaleFactor: 2 });
  readonly conv3: Conv2d;
  readonly conv4: Conv2d;
  readonly conv5: Conv2d;
  constructor(key: Key) {
    super();
    const [k1, k2, k3, k4, k5] = split(key, 5) as [Key, Key, Key, Key, Key];
    this.downsample3 = new Conv2d(1, 1, 1, { stride: 4, key: k1 });
    this.downsample4 = new Conv2d(1, 1, 1, { stride: 2, key: k2 });
    this.conv3 = new Conv2d(128 + 1, 64, 3, { padding: 1, key: k3 });
    this.conv4 = new Conv2d(64 + 1, 32, 3, { padding: 1, key: k4 });
    this.conv5 = new Conv2d(32 + 1, 1, 3, { padding: 1, key: k5 });
  }
  forward(x: Tensor, z: Tensor): Tensor {
    return tidy(() => {
      let h = concat([this.downsample3.forward(x), z], 1);
      h = conv2d(h, this.conv3.weight, this.conv3.bias, { padding: 1, activation: 'relu' });
      h = concat([this.downsample4.forward(x), upsampleNearest(h, 2)], 1);
      h = conv2d(h, this.conv4.weight, this.conv4.bias, { padding: 1, activation: 'relu' });
      h = concat([x, upsampleNearest(h, 2)], 1);
      return unary('sigmoid', this.conv5.forward(h));
    });
  }
}

/**
 * The reference MNIST conv CVAE. `size` generalises the 28×28 input to any multiple of 4 (the
 * latent is [128, size/4, size/4]); e.g. 44 holds the RTS-padded digits.
 */
export function mnistConv(opts: { key?: Key; size?: number } = {}): CVAE {
  const size = opts.size ?? 28;
  if (!Number.isInteger(size) || size < 4 || size % 4 !== 0) throw new RangeError(`mnistConv: size must be a positive multiple of 4, got ${size}`);
  const [kp, kr, kg] = split(opts.key ?? defaultModelKey(), 3) as [Key, Key, Key];
  return new CVAE(
    { prior: new Prior(kp), recognition: new Recognition(kr), generator: new Generator(kg) },
    { type: 'mnist_conv', imageShape: [1, size, size], latentShape: [128, size / 4, size / 4], distribution: 'bernoulli', config: { size } },
  );
}


