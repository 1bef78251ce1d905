import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { isTensor, type Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/tracking.js';
import { assign } from '../tensor/assign.js';

/** Optimiser state for checkpoints: tensors (safetensors-ready) plus JSON-serialisable scalars. */
export interface OptimizerState {
  tensors: Record<string, Tensor>;
  meta: Record<string, number | boolean | number[]>;
}

/**
 * Base of the optimisers: holds the parameters (updated in place by fused kernels), the learning
 * rate and the step count; `step(grads)` takes gradients in the same order as the parameters.
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  lr: number;
  stepCount = 0;
  protected readonly name: string;

  constructor(name: string, params: Iterable<Tensor>, lr: number) {
    this.name = name;
    this.params = [...params];
    this.params.forEach((p, i) => {
      if (!isTensor(p)) throw new TypeError(`${name}: params[${i}] is not a Tensor`);
      if (p.dtype !== 'float32') throw new TypeError(`${name}: params[${i}] ${fmtShape(p.shape)} is ${p.dtype}; only float32 parameters can be optimised`);
    });
    if (new Set(this.params).size !== this.params.length) throw new Error(`${name}: a parameter appears more than once`);
    this.lr = checkLr(name, lr);
  }

  setLr(lr: number): void {
    this.lr = checkLr(this.name, lr);
  }

  /** Applies one update from `grads` (aligned with the parameters; null skips a parameter). */
  step(grads: readonly (Tensor | null | undefined)[]): void {
    if (!Array.isArray(grads) || grads.length !== this.params.length) {
      throw new Error(`${this.name}.step: expected ${this.params.length} gradients (one per parameter), got ${Array.isArray(grads) ? grads.length : typeof grads}`);
    }
    grads.forEach((g, i) => {
      if (g == null) return;
      const p = this.params[i]!;
      if (!isTensor(g) || !shapeEquals(g.shape, p.shape)) {
        throw new Error(`${this.name}.step: gradient ${i} has shape ${isTensor(g) ? fmtShape(g.shape) : typeof g}, parameter has ${fmtShape(p.shape)}`);
      }
      if (g.isDisposed) throw new Error(`${this.name}.step: gradient ${i} has been disposed`);
    });
    this.stepCount++;
    grads.forEach((g, i) => {
      if (g) this.update(i, this.params[i]!, g);
    });
  }

  protected abstract update(index: number, param: Tensor, grad: Tensor): void;

  abstract stateDict(): OptimizerState;
  abstract loadStateDict(state: OptimizerState): void;

  /**
   * Checks that `state` holds every state tensor this optimiser has, with the right shapes,
   * reporting all problems at once; `loadStateDict` runs it before changing anything.
   */
  checkState(state: OptimizerState): void {
    const problems: string[] = [];
    if (!state || typeof state !== 'object' || !state.tensors || !state.meta) throw new Error(`${this.name}.loadStateDict: expected {tensors, meta}`);
    for (const [name, t] of Object.entries(this.stateDict().tensors)) {
      const source = state.tensors[name];
      if (!source) problems.push(`missing '${name}'`);
      else if (!shapeEquals(source.shape, t.shape)) problems.push(`'${name}' has shape ${fmtShape(source.shape)}, expected ${fmtShape(t.shape)}`);
    }
    const step = state.meta.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) problems.push(`meta.step must be a non-negative integer, got ${String(step)}`);
    if (problems.length) throw new Error(`${this.name}.loadStateDict: ${problems.join('; ')}`);
  }

  /** Frees the optimiser's state tensors (not the parameters). */
  abstract dispose(): void;

  /** Creates a state tensor that survives every tidy scope. */
  protected persistent(t: Tensor): Tensor {
    return keep(t);
  }

  /** Copies the saved state tensors into this optimiser's (after `checkState`). */
  protected restoreAll(state: OptimizerState): void {
    for (const [name, t] of Object.entries(this.stateDict().tensors)) assign(t, state.tensors[name]!);
  }
}

function checkLr(name: string, lr: number): number {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new RangeError(`${name}: lr must be a finite number ≥ 0, got ${lr}`);
  return lr;
}
