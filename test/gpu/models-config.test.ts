// ps.models.fromConfig and trainingOptionsFromConfig with the reference repository's configs
// (configs/mnist_conv_linf.json, mnist_fc_linf.json and cifar10_c_rectangle.json, verbatim below):
// model types, latent shapes, likelihoods and reference parameter names; the training section as
// np.interp schedules; unknown keys, a missing or unsupported model type and malformed sections
// are errors naming the culprit.
//
// The CIFAR model is built from the reference config with its size keys shrunk (latent 8, 8/4
// channels; the reference's 34M parameters would take seconds on SwiftShader); the reference config
// itself is checked through trainingOptionsFromConfig, which validates every section.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { thrown } from './helpers/check.js';

beforeAll(async () => {
  await ps.init();
});

const MNIST_CONV_LINF = `  
{
  "model": {
      "model_dir":"mnist_conv_linf",
      "type": "mnist_conv", 
      "output_distribution": "bernoulli"
  }, 
  "perturbation" : {
      "train_type": "linfinity", 
      "test_type": "linfinity", 
      "epsilon": 0.3, 
      "min": 0, 
      "max": 1
  },
  "output_dir": "./experiments",

  "training": {
      "optimizer": "adam",
      "epochs": 20, 
      "batch_size": 128,
      "step_size_schedule": [[0,10,15,20], [0.001, 0.001, 0.0005, 0.0001]],
      "beta_schedule": [[0, 5, 20], [0,1e-3, 1e-2]],
      "momentum": 0,
      "weight_decay": 0, 
      "log_interval": 100, 
      "checkpoint_interval": 10
  },

  "eval": {
      "batch_size": 128, 
      "sample_interval": 1
  },

  "dataset": {
      "type": "mnist",
      "data_path": "~/data", 
      "padding": 0
  },
  "device": "cuda"
}`;

const MNIST_FC_LINF = `  
{
  "model": {
      "model_dir":"mnist_fc_linf",
      "type": "mnist_fc", 
      "output_distribution": "bernoulli"
  }, 
  "perturbation" : {
      "train_type": "linfinity", 
      "test_type": "linfinity", 
      "epsilon": 0.3, 
      "min": 0, 
      "max": 1
  },
  "output_dir": "./experiments",

  "training": {
      "optimizer": "adam",
      "epochs": 20, 
      "batch_size": 128,
      "step_size_schedule": [[0,10,15,20], [0, 0.001, 0.0005, 0.0001]],
      "beta_schedule": [[0, 5, 20], [0,1e-3, 1e-2]],
      "momentum": 0,
      "weight_decay": 0, 
      "log_interval": 100, 
      "checkpoint_interval": 10
  },

  "eval": {
      "batch_size": 128, 
      "sample_interval": 1
  },

  "dataset": {
      "type": "mnist",
      "data_path": "~/data", 
      "padding": 0
  },
  "device": "cuda"
}`;

const CIFAR10_C_RECTANGLE = `  
{
  "model": {
      "model_dir":"cifar10_c_rectangle",
      "type": "cifar10_rectangle", 
      "output_distribution": "gaussian", 
      "latent_dim": 512,
      "nblocks": 4, 
      "big_ch": 64, 
      "small_ch": 16, 
      "kernel_size": 3, 
      "padding": 1
  }, 
  "perturbation" : {
      "train_type": "dataloader", 
      "test_type": "dataloader"
  },
  "output_dir": "./experiments",

  "training": {
      "optimizer": "adam", 
      "epochs": 1000, 
      "batch_size": 128,
      "step_size_schedule": [[0,400,1000], [0, 0.001, 0]],
      "beta_schedule": [[0,40,100], [0,1e-2,1e-2]],
      "momentum": 0.9,
      "weight_decay": 0, 
      "log_interval": 100, 
      "checkpoint_interval": 200
  },

  "eval": {
      "batch_size": 128, 
      "sample_interval": 50
  },

  "dataset": {
      "type": "cifar10c",
      "data_path": "../data", 
      "corruptions":[
          "defocus_blur", 
          "glass_blur", 
          "motion_blur", 
          "zoom_blur", 
          "snow", 
          "frost", 
          "fog", 
          "brightness", 
          "contrast", 
          "elastic_transform", 
          "pixelate", 
          "jpeg_compression"
      ], 
      "severity":[5],
      "k": 12,
      "cropflip": {
          "pad": 4, 
          "crop": [32,32], 
          "flip": true
      }
  }, 

  "device": "cuda" 
}`;

type Json = Record<string, any>;
const parse = (s: string) => JSON.parse(s) as Json;
const shapes = (m: ps.CVAE) => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape]));

const encoderNames = (prefix: string) => ['fc1', 'fc21', 'fc22'].flatMap((l) => [`${prefix}.${l}.weight`, `${prefix}.${l}.bias`]);
const convEncoderNames = (prefix: string) => ['conv1', 'conv2', 'conv31', 'conv32'].flatMap((l) => [`${prefix}.${l}.weight`, `${prefix}.${l}.bias`]);

describe('fromConfig with the reference configs', () => {
  it('mnist_conv_linf: the reference mnist_conv CVAE', () => {
    const m = ps.models.fromConfig(MNIST_CONV_LINF, { key: ps.random.key(1) });
    try {
      expect(m.info.type).toBe('mnist_conv');
      expect(m.info.imageShape).toEqual([1, 28, 28]);
      expect(m.info.latentShape).toEqual([128, 7, 7]);
      expect(m.info.distribution).toBe('bernoulli');
      expect((m.info.config as Json).reference).toEqual(parse(MNIST_CONV_LINF));
      const gen = ['downsample3', 'downsample4', 'conv3', 'conv4', 'conv5'].flatMap((l) => [`generator.${l}.weight`, `generator.${l}.bias`]);
      expect(Object.keys(m.stateDict())).toEqual([...convEncoderNames('prior'), ...convEncoderNames('recognition'), ...gen]);
      const s = shapes(m);
      expect(s['recognition.conv1.weight']).toEqual([32, 2, 3, 3]);
      expect(s['generator.conv3.weight']).toEqual([64, 129, 3, 3]);
      expect(s['generator.downsample3.weight']).toEqual([1, 1, 1, 1]);
    } finally {
      m.dispose();
    }
  });

  it('mnist_fc_linf: the reference mnist_fc CVAE (also from a parsed object)', () => {
    const m = ps.models.fromConfig(parse(MNIST_FC_LINF), { key: ps.random.key(1) });
    try {
      expect(m.info.type).toBe('mnist_fc');
      expect(m.info.latentShape).toEqual([784]);
      expect(m.info.distribution).toBe('bernoulli');
      const gen = ['fc3', 'fc4'].flatMap((l) => [`generator.${l}.weight`, `generator.${l}.bias`]);
      expect(Object.keys(m.stateDict())).toEqual([...encoderNames('prior'), ...encoderNames('recognition'), ...gen]);
      const s = shapes(m);
      expect(s['prior.fc1.weight']).toEqual([784, 784]);
      expect(s['recognition.fc1.weight']).toEqual([784, 1568]);
      expect(s['generator.fc3.weight']).toEqual([784, 1568]);
    } finally {
      m.dispose();
    }
  });

  it('cifar10_c_rectangle (size keys shrunk): reference module layout, names and shapes', () => {
    const cfg = parse(CIFAR10_C_RECTANGLE);
    Object.assign(cfg.model, { latent_dim: 8, big_ch: 8, small_ch: 4 });
    const m = ps.models.fromConfig(cfg, { key: ps.random.key(1) });
    try {
      expect(m.info.type).toBe('cifar10_rectangle');
      expect(m.info.imageShape).toEqual([3, 32, 32]);
      expect(m.info.latentShape).toEqual([8]);
      expect(m.info.distribution).toBe('gaussian');
      const s = shapes(m);
      // encoder = [conv, 4 blocks, BN, ReLU, conv, BN, ReLU]; decoder = [conv, 4 blocks, BN, ReLU, conv].
      expect(s['prior.encoder.0.weight']).toEqual([8, 3, 3, 3]);
      expect(s['recognition.encoder.0.weight']).toEqual([8, 6, 3, 3]);
      expect(s['prior.encoder.4.conv1.weight']).toEqual([4, 8, 3, 3]);
      expect(s['prior.encoder.4.bn2.running_var']).toEqual([4]);
      expect(s['prior.encoder.5.num_batches_tracked']).toEqual([]);
      expect(s['prior.encoder.7.weight']).toEqual([4, 8, 3, 3]);
      expect(s['prior.encoder.8.running_mean']).toEqual([4]);
      expect(s['prior.fc1.weight']).toEqual([8, 4 * 32 * 32]);
      expect(s['prior.fc2.bias']).toEqual([8]);
      expect(s['generator.fc.weight']).toEqual([1024, 8]);
      expect(s['generator.decoder.0.weight']).toEqual([8, 4, 3, 3]);
      expect(s['generator.decoder.7.weight']).toEqual([3, 8, 3, 3]);
      expect(s['generator.decoder.8.weight']).toBeUndefined();
      expect(Object.keys(s).some((k) => k.includes('convShortcut'))).toBe(false);
    } finally {
      m.dispose();
    }
  });
});

describe('trainingOptionsFromConfig', () => {
  it('reads the training sections; schedules interpolate like np.interp (constant beyond the ends)', () => {
    const conv = ps.models.trainingOptionsFromConfig(MNIST_CONV_LINF);
    expect([conv.epochs, conv.batchSize, conv.optimizer, conv.momentum, conv.weightDecay]).toEqual([20, 128, 'adam', 0, 0]);
    const at = (s: ps.schedules.Schedule, t: number) => ps.schedules.scheduleValue(s, t);
    // np.interp([-1, 0, 5, 12.5, 17.5, 20, 25], [0,10,15,20], [1e-3, 1e-3, 5e-4, 1e-4])
    const lrWant = [1e-3, 1e-3, 1e-3, 7.5e-4, 3e-4, 1e-4, 1e-4];
    [-1, 0, 5, 12.5, 17.5, 20, 25].forEach((t, i) => expect(at(conv.lr, t)).toBeCloseTo(lrWant[i]!, 15));
    // np.interp([0, 2.5, 5, 12.5, 20, 30], [0, 5, 20], [0, 1e-3, 1e-2])
    const betaWant = [0, 5e-4, 1e-3, 5.5e-3, 1e-2, 1e-2];
    [0, 2.5, 5, 12.5, 20, 30].forEach((t, i) => expect(at(conv.beta, t)).toBeCloseTo(betaWant[i]!, 15));
    const fc = ps.models.trainingOptionsFromConfig(MNIST_FC_LINF);
    expect(at(fc.lr, 0)).toBe(0);
    expect(at(fc.lr, 5)).toBeCloseTo(5e-4, 15);
    expect(at(fc.lr, 0.25)).toBeCloseTo(2.5e-5, 15);
    const cifar = ps.models.trainingOptionsFromConfig(CIFAR10_C_RECTANGLE);
    expect([cifar.epochs, cifar.batchSize, cifar.optimizer, cifar.momentum, cifar.weightDecay]).toEqual([1000, 128, 'adam', 0.9, 0]);
    [[0, 0], [200, 5e-4], [400, 1e-3], [700, 5e-4], [1000, 0], [1200, 0]].forEach(([t, v]) => expect(at(cifar.lr, t!)).toBeCloseTo(v!, 15));
    [[20, 5e-3], [40, 1e-2], [500, 1e-2]].forEach(([t, v]) => expect(at(cifar.beta, t!)).toBeCloseTo(v!, 15));
  });
});

describe('config errors', () => {
  const conv = () => parse(MNIST_CONV_LINF);
  it('unknown keys, at the top level or in a section, name the key', () => {
    const top = { ...conv(), modle: {} };
    expect(thrown(() => ps.models.fromConfig(top)).message).toMatch(/^fromConfig: unknown key "modle"/);
    const nested = conv();
    nested.model.latentdim = 3;
    expect(thrown(() => ps.models.fromConfig(nested)).message).toMatch(/^fromConfig: unknown key "model\.latentdim"/);
    const training = conv();
    training.training.step_size = 1;
    expect(thrown(() => ps.models.trainingOptionsFromConfig(training)).message).toMatch(/unknown key "training\.step_size"/);
    const section = conv();
    section.dataset = [1];
    expect(thrown(() => ps.models.fromConfig(section)).message).toMatch(/"dataset" must be an object/);
  });

  it('a missing model section or type, an unsupported or unknown type, and a wrong likelihood are errors', () => {
    const noModel = conv();
    delete noModel.model;
    expect(thrown(() => ps.models.fromConfig(noModel)).message).toMatch(/^fromConfig: the config has no "model" section/);
    const noType = conv();
    delete noType.model.type;
    expect(thrown(() => ps.models.fromConfig(noType)).message).toMatch(/^fromConfig: the config has no "model\.type" \(one of mnist_fc, mnist_conv, cifar10_rectangle\)/);
    const stn = conv();
    stn.model.type = 'mnist_stn';
    expect(thrown(() => ps.models.fromConfig(stn)).message).toMatch(/model type "mnist_stn" is not implemented/);
    const unknown = conv();
    unknown.model.type = 'mnist_cnn';
    expect(thrown(() => ps.models.fromConfig(unknown)).message).toMatch(/unknown model type "mnist_cnn"/);
    const gaussian = conv();
    gaussian.model.output_distribution = 'gaussian';
    expect(thrown(() => ps.models.fromConfig(gaussian)).message).toMatch(/output_distribution "gaussian" does not match mnist_conv \(bernoulli\)/);
  });

  it('malformed JSON, non-objects, bad schedules and bad model sizes are errors', () => {
    expect(thrown(() => ps.models.fromConfig('{"model": ')).message).toMatch(/^fromConfig: the config is not valid JSON/);
    expect(thrown(() => ps.models.fromConfig('[1, 2]')).message).toMatch(/the config must be a JSON object/);
    const noTraining = conv();
    delete noTraining.training;
    expect(thrown(() => ps.models.trainingOptionsFromConfig(noTraining)).message).toMatch(/no "training" section/);
    const badSchedule = conv();
    badSchedule.training.beta_schedule = [[0, 5, 20]];
    expect(thrown(() => ps.models.trainingOptionsFromConfig(badSchedule)).message).toMatch(/training\.beta_schedule must be \[\[x…\], \[y…\]\]/);
    const unsorted = conv();
    unsorted.training.step_size_schedule = [[0, 10, 5], [1, 2, 3]];
    expect(thrown(() => ps.models.trainingOptionsFromConfig(unsorted)).message).toMatch(/strictly increasing/);
    const optim = conv();
    optim.training.optimizer = 'rmsprop';
    expect(thrown(() => ps.models.trainingOptionsFromConfig(optim)).message).toMatch(/training\.optimizer must be "adam" or "sgd", got "rmsprop"/);
    const cifar = parse(CIFAR10_C_RECTANGLE);
    cifar.model.padding = 0;
    expect(thrown(() => ps.models.fromConfig(cifar)).message).toMatch(/kernel_size 3 with padding 0/);
    cifar.model.padding = 1;
    cifar.model.latent_dim = 0;
    expect(thrown(() => ps.models.fromConfig(cifar)).message).toMatch(/latent_dim must be a positive integer, got 0/);
  });
});
