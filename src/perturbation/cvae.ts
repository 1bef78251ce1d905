import { Module } from '../nn/module.js';
import type { Key } from '../random/key.js';
import { normal } from '../random/sample.js';
import { fused } from '../ops/fused.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';

/** A diagonal Gaussian N(mu, exp(logvar)) over the latent space, per sample. */
export interface Gaussian {
  mu: Tensor;
  logvar: Tensor;
}

export interface CVAEOutput {
  /** The generator's output g(x, z) for z drawn from the posterior (reparameterised). */
  recon: Tensor;
  prior: Gaussian;
  posterior: Gaussian;
  /** The latent code that produced `recon`. */
  z: Tensor;
}

/** The three networks of a conditional VAE (Sohn et al. 2015), as the reference builds them. */
export interface CVAENetworks {
  prior: Module & { forward(x: Tensor): [Tensor, Tensor] };
  recognition: Module & { forward(x: Tensor, xt: Tensor): [Tensor, Tensor] };
  generator: Module & { forward(x: Tensor, z: Tensor): Tensor };
}

export interface CVAEInfo {
  /** Model type as in the reference configs: mnist_fc, mnist_conv, cifar10_rectangle, … */
  type: string;
  /** Shape of one input image [C, H, W]. */
  imageShape: readonly [number, number, number];
  /** Shape of one latent code (e.g. [784] or [128, 7, 7]). */
  latentShape: readonly number[];
  /** Output likelihood: 'bernoulli' (BCE; MNIST) or 'gaussian' (squared error; CIFAR). */
  distribution: 'bernoulli' | 'gaussian';
  /** The options the model was built with (saved with checkpoints). */
  config: Record<string, unknown>;
}

/**
 * A conditional VAE: prior p(z | x), recognition q(z | x, x̃) and generator g(x, z). Its state
 * dict uses the reference names (`prior.conv1.weight`, `generator.fc.bias`, …).
 */
export class CVAE extends Module {
  readonly info: CVAEInfo;
  private readonly nets: CVAENetworks;

  constructor(nets: CVAENetworks, info: CVAEInfo) {
    super();
    this.nets = nets;
    this.info = info;
    this.child('prior', nets.prior);
    this.child('recognition', nets.recognition);
    this.child('generator', nets.generator);
  }

  get latentShape(): readonly number[] {
    return this.info.latentShape;
  }

  /** Checks that x is a batch of this model's images [B, C, H, W]. */
  checkImages(op: string, x: Tensor, name = 'x'): void {
    assertTensor(op, x, name);
    const want = this.info.imageShape;
    if (x.rank !== 4 || !shapeEquals(x.shape.slice(1), want) || x.dtype !== 'float32') {
      throw new Error(`${op}: ${name} must be float32 images [B, ${want.join(', ')}] for ${this.info.type}, got ${x.dtype} ${fmtShape(x.shape)}`);
    }
  }

  /** Checks that z is a batch of latent codes [B, ...latentShape] matching x's batch. */
  checkLatent(op: string, z: Tensor, batch: number): void {
    assertTensor(op, z, 'z');
    const want = [batch, ...this.info.latentShape];
    if (!shapeEquals(z.shape, want)) throw new Error(`${op}: z must be ${fmtShape(want)} for ${this.info.type}, got ${fmtShape(z.shape)}`);
  }

  /** Prior p(z | x) = N(mu, exp(logvar)). */
  prior(x: Tensor): Gaussian {
    this.checkImages('cvae.prior', x);
    const [mu, logvar] = this.nets.prior.forward(x);
    return { mu, logvar };
  }

  /** Recognition (posterior) q(z | x, x̃). */
  recognition(x: Tensor, xt: Tensor): Gaussian {
    this.checkImages('cvae.recognition', x);
    this.checkImages('cvae.recognition', xt, 'xt');
    if (x.shape[0] !== xt.shape[0]) throw new Error(`cvae.recognition: x ${fmtShape(x.shape)} and xt ${fmtShape(xt.shape)} have different batch sizes`);
    const [mu, logvar] = this.nets.recognition.forward(x, xt);
    return { mu, logvar };
  }

  /** Generator g(x, z) (the mean of the output likelihood). */
  decode(x: Tensor, z: Tensor): Tensor {
    this.checkImages('cvae.decode', x);
    this.checkLatent('cvae.decode', z, x.shape[0]!);
    return this.nets.generator.forward(x, z);
  }

  /** z = mu + eps · exp(logvar / 2). */
  reparameterize(params: Gaussian, eps: Tensor): Tensor {
    return fused('cvae.reparameterize', { expr: 'm + e * exp(0.5 * l)', grads: { m: 'dy', e: 'dy * exp(0.5 * l)', l: '0.5 * dy * e * exp(0.5 * l)' } }, [
      { name: 'm', value: params.mu },
      { name: 'e', value: eps },
      { name: 'l', value: params.logvar },
    ]);
  }

  /** Training pass: prior and posterior of (x, x̃), z from the posterior with noise from `key`, and g(x, z). */
  forward(x: Tensor, xt: Tensor, key: Key): CVAEOutput {
    const prior = this.prior(x);
    const posterior = this.recognition(x, xt);
    const eps = normal(key, posterior.mu.shape);
    const z = this.reparameterize(posterior, eps);
    eps.dispose();
    const recon = this.decode(x, z);
    return { recon, prior, posterior, z };
  }
}
