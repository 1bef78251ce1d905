import { readSafetensors, saveSafetensors } from '../io/tensors.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CVAE } from './cvae.js';

export const CHECKPOINT_FORMAT = 'perturbset-cvae-checkpoint/1';

/** Where training stands, saved with a checkpoint. */
export interface TrainingPosition {
  /** Epochs completed. */
  epoch: number;
  /** Optimisation steps taken so far. */
  step: number;
}

export interface CheckpointContents {
  position: TrainingPosition;
  model: CVAE['info'];
  optimizer: OptimizerState['meta'];
  /** Anything else the caller stored (e.g. the loss curve). */
  extra: Record<string, unknown>;
}

/**
 * One safetensors file holding the model (`model.<name>`), the optimiser state (`optim.<name>`)
 * and, in `__metadata__`, a JSON document with the training position, the model description and
 * the optimiser's scalars — so training resumes exactly where it stopped.
 */
export async function saveCheckpoint(cvae: CVAE, optimizer: Optimizer, position: TrainingPosition, extra: Record<string, unknown> = {}): Promise<Uint8Array> {
  const tensors: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(cvae.stateDict())) tensors[`model.${name}`] = t;
  const opt = optimizer.stateDict();
  for (const [name, t] of Object.entries(opt.tensors)) tensors[`optim.${name}`] = t;
  const contents: CheckpointContents = { position, model: cvae.info, optimizer: opt.meta, extra };
  return saveSafetensors(tensors, { metadata: { format: CHECKPOINT_FORMAT, contents: JSON.stringify(contents) } });
}

/** Restores model and optimiser from `saveCheckpoint` bytes; returns the saved contents. */
export function loadCheckpoint(bytes: Uint8Array, cvae: CVAE, optimizer?: Optimizer): CheckpointContents {
  const { tensors, metadata } = readSafetensors(bytes);
  try {
    if (metadata.format !== CHECKPOINT_FORMAT) throw new Error(`loadCheckpoint: not a perturbset CVAE checkpoint (format '${metadata.format ?? 'missing'}')`);
    const contents = JSON.parse(metadata.contents ?? 'null') as CheckpointContents | null;
    if (!contents || typeof contents.position?.epoch !== 'number') throw new Error('loadCheckpoint: the checkpoint metadata is incomplete');
    if (contents.model.type !== cvae.info.type) throw new Error(`loadCheckpoint: checkpoint holds a ${contents.model.type} model, not ${cvae.info.type}`);
    const pick = (prefix: string) => Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
    const optimizerState = { tensors: pick('optim.'), meta: contents.optimizer };
    // Validate everything before changing anything: a bad optimiser section leaves the model untouched.
    if (optimizer) optimizer.checkState(optimizerState);
    cvae.loadStateDict(pick('model.'));
    if (optimizer) optimizer.loadStateDict(optimizerState);
    return contents;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
