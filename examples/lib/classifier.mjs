// A small conv net classifier for 32×32 colour (or 28×28 gray) images — the stand-in for the
// paper's WideResNet at the scale of a CPU adapter: conv-relu-pool ×2, then two linear layers.
import * as ps from '../../dist/perturbset.js';

export class SmallConvNet extends ps.nn.Module {
  constructor({ channels = 3, size = 32, classes = 10, width = 16, key }) {
    super();
    const [k1, k2, k3, k4] = ps.random.split(key, 4);
    this.conv1 = new ps.nn.Conv2d(channels, width, 3, { padding: 1, key: k1 });
    this.conv2 = new ps.nn.Conv2d(width, 2 * width, 3, { padding: 1, key: k2 });
    const features = 2 * width * Math.floor(size / 4) * Math.floor(size / 4);
    this.fc1 = new ps.nn.Linear(features, 64, { key: k3 });
    this.fc2 = new ps.nn.Linear(64, classes, { key: k4 });
  }

  /** Images [B, C, H, W] in [0, 1] → logits [B, classes]. */
  forward(x) {
    return ps.tidy(() => {
      let h = ps.maxPool2d(ps.conv2d(x, this.conv1.weight, this.conv1.bias, { padding: 1, activation: 'relu' }), 2);
      h = ps.maxPool2d(ps.conv2d(h, this.conv2.weight, this.conv2.bias, { padding: 1, activation: 'relu' }), 2);
      h = ps.linear(ps.flatten(h, 1), this.fc1.weight, this.fc1.bias, 'relu');
      return this.fc2.forward(h);
    });
  }
}
