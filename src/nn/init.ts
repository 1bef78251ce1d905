import { foldIn, key, split, type Key } from '../random/key.js';
import { uniform } from '../random/sample.js';
import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

let defaultStream = 0;
const DEFAULT_ROOT = key(0x5eed);

/**
 * The key a layer initialises from: the one given, or the next key of a process-wide default
 * stream (deterministic in construction order, like PyTorch's global generator after a seed).
 */
export function layerKey(k?: Key): Key {
  return k ?? foldIn(DEFAULT_ROOT, defaultStream++);
}

/** Restarts the default initialisation stream (the analogue of torch.manual_seed for layers). */
export function resetDefaultInitStream(seed = 0): void {
  defaultStream = seed;
}

/**
 * PyTorch's default weight initialisation for Linear and Conv2d: kaiming_uniform_(a=√5), i.e.
 * U(−b, b) with b = gain·√(3 / fan_in), gain = √(2 / (1 + a²)) — which is b = 1/√fan_in.
 */
export function kaimingUniformA5(k: Key, shape: Shape, fanIn: number): Tensor {
  if (!(fanIn > 0)) throw new RangeError(`init: fan-in must be positive, got ${fanIn} for shape [${shape.join(',')}]`);
  const bound = 1 / Math.sqrt(fanIn);
  return uniform(k, shape, -bound, bound);
}

/** PyTorch's default bias initialisation: U(−1/√fan_in, 1/√fan_in). */
export function fanInUniform(k: Key, shape: Shape, fanIn: number): Tensor {
  return kaimingUniformA5(k, shape, fanIn);
}

export function splitKey(k: Key): [Key, Key] {
  const [a, b] = split(k, 2);
  return [a!, b!];
}
