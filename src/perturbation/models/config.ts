import type { Key } from '../../random/key.js';
import { piecewiseLinear, type Schedule } from '../../optim/schedules.js';
import type { CVAE } from '../cvae.js';
import { cifar10Rectangle, type Cifar10RectangleConfig } from './cifar10-rectangle.js';
import { mnistConv } from './mnist-conv.js';
import { mnistFc } from './mnist-fc.js';

/** Keys the reference repository's configs/*.json use, per section (anything else is an error). */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['model', 'perturbation', 'output_dir', 'training', 'eval', 'dataset', 'device', 'dataparallel', 'resume'],
  model: ['model_dir', 'type', 'output_distribution', 'load', 'latent_dim', 'nblocks', 'big_ch', 'small_ch', 'kernel_size', 'padding'],
  perturbation: ['train_type', 'test_type', 'epsilon', 'min', 'max', 'angle', 'scale', 'crop', 'padding'],
  training: ['optimizer', 'epochs', 'batch_size', 'step_size_schedule', 'beta_schedule', 'momentum', 'weight_decay', 'log_interval', 'checkpoint_interval'],
  eval: ['batch_size', 'sample_interval'],
  dataset: ['type', 'data_path', 'padding', 'corruptions', 'severity', 'k', 'cropflip', 'mode'],
};

const MODEL_TYPES = ['mnist_fc', 'mnist_conv', 'cifar10_rectangle'] as const;
const REFERENCE_ONLY_TYPES = ['mnist_stn', 'mi_unet'];

type Json = Record<string, unknown>;

function parseConfig(input: string | Json): Json {
  let config: unknown = input;
  if (typeof input === 'string') {
    try {
      config = JSON.parse(input);
    } catch (err) {
      throw new Error(`fromConfig: the config is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new TypeError('fromConfig: the config must be a JSON object');
  const cfg = config as Json;
  for (const [section, keys] of Object.entries(KNOWN_KEYS)) {
    const obj = section === '' ? cfg : cfg[section];
    if (obj === undefined) continue;
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new TypeError(`fromConfig: "${section}" must be an object`);
    for (const key of Object.keys(obj as Json)) {
      if (!keys.includes(key)) throw new Error(`fromConfig: unknown key "${section ? `${section}.` : ''}${key}" (known: ${keys.join(', ')})`);
    }
  }
  return cfg;
}

/** The model section of a reference config, validated. */
function modelSection(cfg: Json): Json & { type: (typeof MODEL_TYPES)[number] } {
  const model = cfg.model as Json | undefined;
  if (!model) throw new Error('fromConfig: the config has no "model" section');
  const type = model.type;
  if (type === undefined) throw new Error('fromConfig: the config has no "model.type" (one of ' + MODEL_TYPES.join(', ') + ')');
  if (REFERENCE_ONLY_TYPES.includes(type as string)) throw new Error(`fromConfig: model type "${String(type)}" is not implemented (supported: ${MODEL_TYPES.join(', ')})`);
  if (!MODEL_TYPES.includes(type as never)) throw new Error(`fromConfig: unknown model type "${String(type)}" (supported: ${MODEL_TYPES.join(', ')})`);
  return model as Json & { type: (typeof MODEL_TYPES)[number] };
}

/**
 * A CVAE built from a reference `configs/*.json` (its "model" section; the other sections are
 * validated and kept in `cvae.info.config.reference`).
 */
export function fromConfig(json: string | Json, opts: { key?: Key } = {}): CVAE {
  const cfg = parseConfig(json);
  const model = modelSection(cfg);
  let cvae: CVAE;
  if (model.type === 'mnist_fc') cvae = mnistFc(opts);
  else if (model.type === 'mnist_conv') cvae = mnistConv(opts);
  else {
    const options: Cifar10RectangleConfig = {};
    for (const k of ['latent_dim', 'nblocks', 'big_ch', 'small_ch', 'kernel_size', 'padding'] as const) {
      if (model[k] !== undefined) options[k] = model[k] as number;
    }
    cvae = cifar10Rectangle(options, opts);
  }
  const distribution = model.output_distribution;
  if (distribution !== undefined && distribution !== cvae.info.distribution) {
    throw new Error(`fromConfig: model.output_distribution "${String(distribution)}" does not match ${model.type} (${cvae.info.distribution})`);
  }
  (cvae.info.config as Json).reference = cfg;
  return cvae;
}

export interface ConfigTrainingOptions {
  epochs: number;
  batchSize: number;
  optimizer: 'adam' | 'sgd';
  lr: Schedule;
  beta: Schedule;
  momentum: number;
  weightDecay: number;
}

/** The "training" section of a reference config as `trainCVAE` options (schedules as np.interp functions). */
export function trainingOptionsFromConfig(json: string | Json): ConfigTrainingOptions {
  const cfg = parseConfig(json);
  const t = cfg.training as Json | undefined;
  if (!t) throw new Error('trainingOptionsFromConfig: the config has no "training" section');
  const schedule = (name: string): Schedule => {
    const v = t[name];
    if (typeof v === 'number') return v;
    if (!Array.isArray(v) || v.length !== 2) throw new Error(`trainingOptionsFromConfig: training.${name} must be [[x…], [y…]]`);
    return piecewiseLinear(v[0] as number[], v[1] as number[]);
  };
  const optimizer = (t.optimizer ?? 'adam') as string;
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new Error(`trainingOptionsFromConfig: training.optimizer must be "adam" or "sgd", got "${optimizer}"`);
  return {
    epochs: Number(t.epochs),
    batchSize: Number(t.batch_size),
    optimizer,
    lr: schedule('step_size_schedule'),
    beta: schedule('beta_schedule'),
    momentum: Number(t.momentum ?? 0),
    weightDecay: Number(t.weight_decay ?? 0),
  };
}
