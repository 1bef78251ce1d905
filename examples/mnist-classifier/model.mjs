// A small conv net for MNIST: two conv–ReLU–pool stages and a two-layer head (~0.42M parameters).
import * as ps from '../../dist/perturbset.js';

export class MnistNet extends ps.nn.Module {
  constructor(key) {
    super();
    const [k1, k2, k3, k4] = ps.random.split(key, 4);
    this.conv1 = new ps.nn.Conv2d(1, 32, 3, { padding: 1, key: k1 });
    this.conv2 = new ps.nn.Conv2d(32, 64, 3, { padding: 1, key: k2 });
    this.fc1 = new ps.nn.Linear(64 * 7 * 7, 128, { key: k3 });
    this.fc2 = new ps.nn.Linear(128, 10, { key: k4 });
  }

  /** x [B, 1, 28, 28] in [0, 1] → logits [B, 10]. */
  forward(x) {
    return ps.tidy(() => {
      let h = ps.conv2d(x, this.conv1.weight, this.conv1.bias, { padding: 1, activation: 'relu' });
      h = ps.maxPool2d(h, 2);
      h = ps.conv2d(h, this.conv2.weight, this.conv2.bias, { padding: 1, activation: 'relu' });
      h = ps.maxPool2d(h, 2);
      h = ps.linear(ps.flatten(h, 1), this.fc1.weight, this.fc1.bias, 'relu');
      return this.fc2.forward(h);
    });
  }
}
