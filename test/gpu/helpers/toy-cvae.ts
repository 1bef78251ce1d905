/**
 * Small CVAEs built from custom networks (ps.CVAE with CVAENetworks) for the perturbation-set and
 * training tests.
 *
 * `identityCVAE`: a model whose perturbation set is known in closed form. Prior N(a·x, s²·I),
 * posterior mean a·x + s·(x̃ − x), generator g(x, w) = x + (w − a·x)/s, so that
 *   set.generate(x, z) = decode(x, μ_p + σ_p·z) = x + z   and   set.encode(x, x̃) = x̃ − x,
 * whatever a and s are (a ≠ 0 and s ≠ 1 make the prior's standardisation matter). Latent shape =
 * image shape. No parameters.
 *
 * `tinyCVAE`: a trainable fully connected CVAE on [1, 4, 4] images with a 4-d latent (the
 * mnist_fc architecture, shrunk), with PyTorch-style initialisation from `key`.
 */
import * as ps from 'perturbset';

class IdentityPrior extends ps.nn.Module {
  constructor(private readonly a: number, private readonly s: number) {
    super();
  }
  forward(x: ps.Tensor): [ps.Tensor, ps.Tensor] {
    return [ps.mul(x, this.a), ps.full(x.shape, 2 * Math.log(this.s))];
  }
}

class IdentityRecognition extends ps.nn.Module {
  constructor(private readonly a: number, private readonly s: number) {
    super();
  }
  forward(x: ps.Tensor, xt: ps.Tensor): [ps.Tensor, ps.Tensor] {
    return ps.tidy(() => [ps.add(ps.mul(x, this.a), ps.mul(ps.sub(xt, x), this.s)), ps.full(x.shape, 0.25)] as [ps.Tensor, ps.Tensor]);
  }
}

class IdentityGenerator extends ps.nn.Module {
  constructor(private readonly a: number, private readonly s: number) {
    super();
  }
  forward(x: ps.Tensor, w: ps.Tensor): ps.Tensor {
    return ps.tidy(() => ps.add(x, ps.div(ps.sub(w, ps.mul(x, this.a)), this.s)));
  }
}

export function identityCVAE(imageShape: [number, number, number], opts: { a?: number; s?: number } = {}): ps.CVAE {
  const a = opts.a ?? 0.5;
  const s = opts.s ?? 2;
  return new ps.CVAE(
    { prior: new IdentityPrior(a, s), recognition: new IdentityRecognition(a, s), generator: new IdentityGenerator(a, s) },
    { type: 'identity', imageShape, latentShape: imageShape, distribution: 'gaussian', config: {} },
  );
}

const D = 16;
const LATENT = 4;

abstract class TinyEncoder extends ps.nn.Module {
  readonly fc1: ps.nn.Linear;
  readonly fc21: ps.nn.Linear;
  readonly fc22: ps.nn.Linear;
  constructor(inputs: number, key: ps.random.Key) {
    super();
    const [k1, k2, k3] = ps.random.split(key, 3);
    this.fc1 = new ps.nn.Linear(inputs, 16, { key: k1 });
    this.fc21 = new ps.nn.Linear(16, LATENT, { key: k2 });
    this.fc22 = new ps.nn.Linear(16, LATENT, { key: k3 });
  }
  encode(flat: ps.Tensor): [ps.Tensor, ps.Tensor] {
    return ps.tidy(() => {
      const h = ps.relu(this.fc1.forward(flat));
      return [this.fc21.forward(h), this.fc22.forward(h)] as [ps.Tensor, ps.Tensor];
    });
  }
}

class TinyPrior extends TinyEncoder {
  constructor(key: ps.random.Key) {
    super(D, key);
  }
  forward(x: ps.Tensor): [ps.Tensor, ps.Tensor] {
    return ps.tidy(() => this.encode(ps.reshape(x, [x.shape[0]!, D])));
  }
}

class TinyRecognition extends TinyEncoder {
  constructor(key: ps.random.Key) {
    super(2 * D, key);
  }
  forward(x: ps.Tensor, xt: ps.Tensor): [ps.Tensor, ps.Tensor] {
    return ps.tidy(() => this.encode(ps.reshape(ps.concat([x, xt], 1), [x.shape[0]!, 2 * D])));
  }
}

class TinyGenerator extends ps.nn.Module {
  readonly fc3: ps.nn.Linear;
  readonly fc4: ps.nn.Linear;
  constructor(key: ps.random.Key) {
    super();
    const [k1, k2] = ps.random.split(key, 2);
    this.fc3 = new ps.nn.Linear(D + LATENT, 16, { key: k1 });
    this.fc4 = new ps.nn.Linear(16, D, { key: k2 });
  }
  forward(x: ps.Tensor, z: ps.Tensor): ps.Tensor {
    return ps.tidy(() => {
      const h = ps.relu(this.fc3.forward(ps.concat([ps.reshape(x, [x.shape[0]!, D]), z], 1)));
      return ps.reshape(ps.sigmoid(this.fc4.forward(h)), [x.shape[0]!, 1, 4, 4]);
    });
  }
}

export function tinyCVAE(key: ps.random.Key): ps.CVAE {
  const [kp, kr, kg] = ps.random.split(key, 3);
  return new ps.CVAE(
    { prior: new TinyPrior(kp!), recognition: new TinyRecognition(kr!), generator: new TinyGenerator(kg!) },
    { type: 'tiny_fc', imageShape: [1, 4, 4], latentShape: [LATENT], distribution: 'bernoulli', config: {} },
  );
}
