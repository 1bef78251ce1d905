import { valueAndGrad } from '../autograd/grad.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Module } from './module.js';

/**
 * The loss and its gradients w.r.t. every parameter of `model` (in `model.parameters()` order):
 * `const [loss, grads] = valueAndGradParams(model, () => lossOf(model))()`.
 */
export function valueAndGradParams(model: Module, lossFn: () => Tensor): () => [Tensor, Tensor[]] {
  const params = model.parameters();
  const vg = valueAndGrad((_ps: Tensor[]) => lossFn(), { argnums: 0 });
  return () => {
    const [value, grads] = vg(params);
    return [value as Tensor, grads as Tensor[]];
  };
}
