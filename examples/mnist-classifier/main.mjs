// Trains a small conv net on real MNIST, reports test accuracy and saves a safetensors checkpoint.
//
//   node examples/mnist-classifier/main.mjs ../shared/data/mnist [--epochs 1] [--batch 64] [--lr 1e-3] [--out out/mnist-classifier]
import * as ps from '../../dist/perturbset.js';
import { MnistNet } from './model.mjs';

function parseArgs(argv) {
  const opts = { dir: null, epochs: 1, batch: 64, lr: 1e-3, out: 'out/mnist-classifier', seed: 0, limit: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--epochs') opts.epochs = Number(next());
    else if (a === '--batch') opts.batch = Number(next());
    else if (a === '--lr') opts.lr = Number(next());
    else if (a === '--out') opts.out = next();
    else if (a === '--seed') opts.seed = Number(next());
    else if (a === '--limit') opts.limit = Number(next()); // at most this many training steps (quick runs)
    else if (!a.startsWith('--')) opts.dir = a;
    else throw new Error(`unknown option ${a}`);
  }
  if (!opts.dir) throw new Error('usage: main.mjs MNIST_DIR [--epochs N] [--batch B] [--lr LR] [--out DIR]');
  return opts;
}

async function evaluate(model, dataset, batchSize = 500) {
  let correct = 0;
  for (const indices of ps.data.batchIndices(dataset.length, batchSize)) {
    const hits = ps.tidy(() => {
      const { x, y } = dataset.batch(indices);
      return ps.sum(ps.equal(ps.argmax(model.forward(x), 1), y));
    });
    correct += await hits.item();
    hits.dispose();
  }
  return correct / dataset.length;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rt = await ps.init();
  console.log(`adapter: ${rt.adapterInfo.description || rt.adapterInfo.vendor}`);
  const { train, test } = await ps.data.loadMNIST(opts.dir);
  console.log(`MNIST: ${train.length} training and ${test.length} test images`);

  const root = ps.random.key(opts.seed);
  const [initKey, shuffleKey] = ps.random.split(root, 2);
  const model = new MnistNet(initKey);
  const opt = new ps.optim.Adam(model.parameters(), { lr: opts.lr });
  const lossOf = (x, y) => ps.crossEntropy(model.forward(x), y);

  let step = 0;
  const t0 = performance.now();
  let windowStart = t0;
  let windowSamples = 0;
  training: for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const batches = ps.data.batchIndices(train.length, opts.batch, { key: ps.random.foldIn(shuffleKey, epoch), dropLast: true });
    for (const indices of batches) {
      const loss = ps.tidy(() => {
        const { x, y } = train.batch(indices);
        const [value, grads] = ps.nn.valueAndGradParams(model, () => lossOf(x, y))();
        opt.step(grads);
        return value;
      });
      step++;
      windowSamples += indices.length;
      if (step % 100 === 0) {
        const value = await loss.item();
        const now = performance.now();
        console.log(`epoch ${epoch + 1} step ${step}: loss ${value.toFixed(4)}, ${(windowSamples / ((now - windowStart) / 1000)).toFixed(0)} samples/s`);
        windowStart = now;
        windowSamples = 0;
      }
      loss.dispose();
      if (step >= opts.limit) break training;
    }
  }
  await ps.flush();
  const trainSeconds = (performance.now() - t0) / 1000;
  const accuracy = await evaluate(model.eval(), test);
  console.log(`trained ${step} steps in ${trainSeconds.toFixed(1)} s; test accuracy ${(100 * accuracy).toFixed(2)}%`);

  const bytes = await ps.io.saveSafetensors(model.stateDict(), { metadata: { accuracy: String(accuracy), steps: String(step) } });
  await ps.io.writeFile(`${opts.out}/mnist-classifier.safetensors`, bytes);
  console.log(`checkpoint: ${opts.out}/mnist-classifier.safetensors (${bytes.length} bytes)`);
  console.log(`memory: ${JSON.stringify(ps.memory())}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
