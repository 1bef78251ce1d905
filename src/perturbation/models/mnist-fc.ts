import { linear } from '../../ops/matmul.js';
import { concat, reshape } from '../../ops/shape-ops.js';
import { Linear } from '../../nn/layers.js';
import { layerKey } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import { split, type Key } from '../../random/key.js';
import { tidy } from '../../tensor/tracking.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CVAE } from '../cvae.js';

/**
 * The reference `mnist_fc` CVAE (perturbation_learning/mnist_fc.py, after the PyTorch VAE
 * example): fully connected encoders to a 784-dimensional latent.
 */
abstract class Encoder extends Module {
  readonly fc1: Linear;
  readonly fc21: Linear;
  readonly fc22: Linear;
  constructor(inputSize: number, key: Key) {
    super();
    const [k1, k2, k3] = split(key, 3) as [Key, Key, Key];
    this.fc1 = new Linear(inputSize, 784, { key: k1 });
    this.fc21 = new Linear(784, 784, { key: k2 });
    this.fc22 = new Linear(784, 784, { key: k3 });
  }
  encode(flat: Tensor): [Tensor, Tensor] {
    return tidy(() => {
      const h = linear(flat, this.fc1.weight, this.fc1.bias, 'relu');
      return [this.fc21.forward(h), this.fc22.forward(h)];
    });
  }
}

class Prior extends Encoder {
  constructor(key: Key) {
    super(784, key);
  }
  forward(x: Tensor): [Tensor, Tensor] {
    return tidy(() => this.encode(reshape(x, [x.shape[0]!, 784])));
  }
}

class Recognition extends Encoder {
  constructor(key: Key) {
    super(784 * 2, key);
  }
  forward(x: Tensor, xt: Tensor): [Tensor, Tensor] {
    return tidy(() => this.encode(reshape(concat([x, xt], 1), [x.shape[0]!, 784 * 2])));
  }
}

class Generator extends Module {
  readonly fc3: Linear;
  readonly fc4: Linear;
  constructor(key: Key) {
    super();
    const [k1, k2] = split(key, 2) as [Key, Key];
    this.fc3 = new Linear(784 * 2, 784, { key: k1 });
    this.fc4 = new Linear(784, 784, { key: k2 });
  }
  forward(x: Tensor, z: Tensor): Tensor {
    return tidy(() => {
      const xz = concat([reshape(x, [x.shape[0]!, 784]), z], 1);
      const h = linear(xz, this.fc3.weight, this.fc3.bias, 'relu');
      return reshape(linear(h, this.fc4.weight, this.fc4.bias, 'sigmoid'), [x.shape[0]!, 1, 28, 28]);
    });
  }
}

export function mnistFc(opts: { key?: Key } = {}): CVAE {
  const [kp, kr, kg] = split(opts.key ?? layerKey(), 3) as [Key, Key, Key];
  return new CVAE(
    { prior: new Prior(kp), recognition: new Recognition(kr), generator: new Generator(kg) },
    { type: 'mnist_fc', imageShape: [1, 28, 28], latentShape: [784], distribution: 'bernoulli', config: {} },
  );
}
