import { binary, unary } from '../../ops/elementwise.js';
import { concat, reshape } from '../../ops/shape-ops.js';
import { BatchNorm2d, Conv2d, Linear, ReLU, ScaledTanh, Sequential } from '../../nn/layers.js';
import { layerKey } from '../../nn/init.js';
import { Module } from '../../nn/module.js';
import { split, type Key } from '../../random/key.js';
import { tidy } from '../../tensor/tracking.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CVAE } from '../cvae.js';

/** Options of the reference `cifar10_rectangle` model (config.model in configs/cifar10_c_*.json). */
export interface Cifar10RectangleConfig {
  latent_dim?: number;
  nblocks?: number;
  big_ch?: number;
  small_ch?: number;
  kernel_size?: number;
  padding?: number;
  /** Image side (the reference is fixed at 32). */
  image_size?: number;
}

const DEFAULTS: Required<Cifar10RectangleConfig> = { latent_dim: 512, nblocks: 4, big_ch: 64, small_ch: 16, kernel_size: 3, padding: 1, image_size: 32 };

/** Pre-activation residual block (reference `Block`): BN-ReLU-conv, BN-ReLU-conv, plus the shortcut. */
class Block extends Module {
  readonly bn1: BatchNorm2d;
  readonly conv1: Conv2d;
  readonly relu1 = new ReLU();
  readonly bn2: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly relu2 = new ReLU();
  readonly convShortcut: Conv2d | null;
  constructor(inPlanes: number, midPlanes: number, outPlanes: number, k: number, p: number, key: Key) {
    super();
    const [k1, k2, k3] = split(key, 3) as [Key, Key, Key];
    this.bn1 = new BatchNorm2d(inPlanes);
    this.conv1 = new Conv2d(inPlanes, midPlanes, k, { padding: p, bias: false, key: k1 });
    this.bn2 = new BatchNorm2d(midPlanes);
    this.conv2 = new Conv2d(midPlanes, outPlanes, k, { padding: p, bias: false, key: k2 });
    this.convShortcut = inPlanes === outPlanes ? null : new Conv2d(inPlanes, outPlanes, 1, { bias: false, key: k3 });
  }
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const activated = unary('relu', this.bn1.forward(x));
      const mid = unary('relu', this.bn2.forward(this.conv1.forward(activated)));
      const out = this.conv2.forward(mid);
      return binary('add', this.convShortcut ? this.convShortcut.forward(activated) : x, out);
    });
  }
}

function trunk(inputChannels: number, outputChannels: number, cfg: Required<Cifar10RectangleConfig>, key: Key, tail: 'encoder' | 'decoder'): Sequential {
  const keys = split(key, cfg.nblocks + 2);
  const { big_ch: big, small_ch: small, kernel_size: k, padding: p } = cfg;
  const layers: Module[] = [new Conv2d(inputChannels, big, k, { padding: p, bias: false, key: keys[0] })];
  for (let i = 0; i < cfg.nblocks; i++) layers.push(new Block(big, small, big, k, p, keys[i + 1]!));
  layers.push(new BatchNorm2d(big), new ReLU(), new Conv2d(big, outputChannels, k, { padding: p, bias: false, key: keys[cfg.nblocks + 1] }));
  if (tail === 'encoder') layers.push(new BatchNorm2d(outputChannels), new ReLU());
  return new Sequential(...layers);
}

abstract class BaseEncoder extends Module {
  readonly encoder: Sequential;
  readonly fc1: Linear;
  readonly fc2: Linear;
  readonly tanh = new ScaledTanh();
  constructor(inputChannels: number, cfg: Required<Cifar10RectangleConfig>, key: Key) {
    super();
    const [k1, k2, k3] = split(key, 3) as [Key, Key, Key];
    this.encoder = trunk(inputChannels, cfg.small_ch, cfg, k1, 'encoder');
    const features = cfg.small_ch * cfg.image_size * cfg.image_size;
    this.fc1 = new Linear(features, cfg.latent_dim, { key: k2 });
    this.fc2 = new Linear(features, cfg.latent_dim, { key: k3 });
  }
  encode(x: Tensor): [Tensor, Tensor] {
    return tidy(() => {
      const h = reshape(this.encoder.forward(x), [x.shape[0]!, -1]);
      return [this.fc1.forward(h), this.tanh.forward(this.fc2.forward(h))];
    });
  }
}

class Prior extends BaseEncoder {
  forward(x: Tensor): [Tensor, Tensor] {
    return this.encode(x);
  }
}

class Recognition extends BaseEncoder {
  forward(x: Tensor, xt: Tensor): [Tensor, Tensor] {
    return tidy(() => this.encode(concat([x, xt], 1)));
  }
}

class Generator extends Module {
  readonly fc: Linear;
  readonly decoder: Sequential;
  private readonly size: number;
  constructor(cfg: Required<Cifar10RectangleConfig>, key: Key) {
    super();
    const [k1, k2] = split(key, 2) as [Key, Key];
    this.size = cfg.image_size;
    this.fc = new Linear(cfg.latent_dim, cfg.image_size * cfg.image_size, { key: k1 });
    this.decoder = trunk(4, 3, cfg, k2, 'decoder');
  }
  forward(x: Tensor, z: Tensor): Tensor {
    return tidy(() => {
      const plane = reshape(this.fc.forward(z), [z.shape[0]!, 1, this.size, this.size]);
      return unary('sigmoid', this.decoder.forward(concat([x, plane], 1)));
    });
  }
}

/** The reference CIFAR-10 CVAE (`cifar10_rectangle.py`): residual encoders with batch norm, a 512-d latent by default. */
export function cifar10Rectangle(config: Cifar10RectangleConfig = {}, opts: { key?: Key } = {}): CVAE {
  for (const k of Object.keys(config)) {
    if (!(k in DEFAULTS)) throw new Error(`cifar10Rectangle: unknown option '${k}' (known: ${Object.keys(DEFAULTS).join(', ')})`);
  }
  const cfg = { ...DEFAULTS, ...config };
  for (const [k, v] of Object.entries(cfg)) {
    if (!Number.isInteger(v) || v < (k === 'padding' ? 0 : k === 'nblocks' ? 0 : 1)) throw new RangeError(`cifar10Rectangle: ${k} must be a ${k === 'padding' || k === 'nblocks' ? 'non-negative' : 'positive'} integer, got ${v}`);
  }
  if (cfg.kernel_size !== 2 * cfg.padding + 1) throw new Error(`cifar10Rectangle: kernel_size ${cfg.kernel_size} with padding ${cfg.padding} would change the image size (need kernel_size = 2·padding + 1)`);
  const [kp, kr, kg] = split(opts.key ?? layerKey(), 3) as [Key, Key, Key];
  return new CVAE(
    { prior: new Prior(3, cfg, kp), recognition: new Recognition(6, cfg, kr), generator: new Generator(cfg, kg) },
    { type: 'cifar10_rectangle', imageShape: [3, cfg.image_size, cfg.image_size], latentShape: [cfg.latent_dim], distribution: 'gaussian', config: { ...cfg } },
  );
}
