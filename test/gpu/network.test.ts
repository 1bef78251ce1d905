// A whole small network against PyTorch (test/fixtures/torch-ops.json):
//   conv1 (1→6, 3×3, pad 1) → ReLU → MaxPool2d(2) → conv2 (6→12, 3×3) → BatchNorm2d (training)
//   → ReLU → flatten → fc (108→10) → crossEntropy (mean)
// with the weights of a torch.nn.Module loaded through loadStateDict (from the fixture's arrays, and
// from a safetensors file written the way safetensors.torch.save_file writes it, with the int64
// num_batches_tracked): the state-dict names, the logits, the loss, every parameter gradient, the
// running statistics after the step, and the eval-mode logits.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { Checks } from './helpers/check.js';
import { arr, base64Bytes, fixture, golden, maxAbs, tensorOf, type FT } from './helpers/torch-fixtures.js';

beforeAll(async () => {
  await ps.init();
});

class Net extends ps.nn.Module {
  conv1 = new ps.nn.Conv2d(1, 6, 3, { padding: 1 });
  pool = new ps.nn.MaxPool2d(2);
  conv2 = new ps.nn.Conv2d(6, 12, 3);
  bn2 = new ps.nn.BatchNorm2d(12);
  fc = new ps.nn.Linear(12 * 3 * 3, 10);
  forward(x: ps.Tensor): ps.Tensor {
    const h = this.pool.forward(ps.relu(this.conv1.forward(x)));
    const g = ps.relu(this.bn2.forward(this.conv2.forward(h)));
    return this.fc.forward(ps.flatten(g, 1));
  }
}

const net = fixture.network;

function stateTensors(sd: Record<string, FT>): Record<string, ps.Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, tensorOf(v, k.endsWith('num_batches_tracked') ? 'int32' : 'float32')]));
}

describe('conv-relu-pool-conv-bn-relu-linear network vs PyTorch', () => {
  it('has PyTorch state-dict and parameter names, in PyTorch order', () => {
    const model = new Net();
    expect(Object.keys(model.stateDict())).toEqual(net.names);
    expect(model.namedParameters().map(([n]) => n)).toEqual(net.parameterNames);
    model.dispose();
  });

  it('forward (training), loss, every parameter gradient, running statistics, then eval logits; nothing leaks', async () => {
    const tensorsBefore = ps.memory().tensors;
    const model = new Net();
    const checks = new Checks();
    ps.tidy(() => {
      model.loadStateDict(stateTensors(net.stateDict));
      const x = tensorOf(net.x);
      const labels = tensorOf(net.labels, 'int32');
      const held: { logits?: ps.Tensor } = {};
      const [loss, grads] = ps.nn.valueAndGradParams(model, () => {
        held.logits = ps.keep(model.forward(x));
        return ps.crossEntropy(held.logits, labels);
      })();
      golden(checks, 'logits', held.logits!, net.logits);
      golden(checks, 'loss', loss.view([]), net.loss);
      model.namedParameters().forEach(([name], i) => {
        // conv2.bias feeds batch norm, which removes any per-channel constant: its gradient is 0
        // in exact arithmetic (PyTorch's float64 gives ~1e-17); float32 leaves rounding noise of
        // the size of the per-element gradients summed (~1e-7 of conv2.weight's gradient scale).
        const tol = name === 'conv2.bias' ? { atol: 1e-6 * maxAbs(arr(net.grads['conv2.weight']!).data) } : {};
        golden(checks, `gradient of ${name}`, grads[i]!, net.grads[name]!, tol);
      });
      const after = model.stateDict();
      for (const [name, expected] of Object.entries(net.stateDictAfter)) {
        if (name.endsWith('num_batches_tracked')) checks.add(name, after[name]!.view([]), [expected.data[0] as number], { rtol: 0, atol: 0, dtype: 'int32' });
        else golden(checks, `${name} after the step`, after[name]!.view(after[name]!.shape), expected);
      }
      model.eval();
      golden(checks, 'eval-mode logits (running statistics)', ps.noGrad(() => model.forward(x)), net.evalLogits);
    });
    await checks.run();
    model.dispose();
    expect(ps.memory().tensors).toBe(tensorsBefore);
  });

  it('loads a state_dict from a safetensors file written like safetensors.torch.save_file (int64 counter) and gives the same logits', async () => {
    const model = new Net();
    const checks = new Checks();
    ps.tidy(() => {
      const loaded = ps.io.loadSafetensors(base64Bytes(net.safetensorsBase64));
      expect(Object.keys(loaded).sort()).toEqual([...net.names].sort());
      for (const [name, t] of Object.entries(loaded)) {
        checks.add(`loaded ${name}`, t, arr(net.stateDict[name]!), { rtol: 0, atol: 0, dtype: name.endsWith('num_batches_tracked') ? 'int32' : 'float32' });
      }
      model.loadStateDict(loaded);
      golden(checks, 'logits with the loaded weights', model.forward(tensorOf(net.x)), net.logits);
    });
    await checks.run();
    model.dispose();
  });
});
