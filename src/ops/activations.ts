/** Activations fused into matmul and conv epilogues: forward in `v`, gradient in `dy` and the output `y`. */
export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh';

export const ACTIVATIONS: Record<Activation, { expr: string; grad: string }> = {
  none: { expr: 'v', grad: 'dy' },
  relu: { expr: 'select(v, 0.0, v < 0.0)', grad: 'select(0.0, dy, y > 0.0)' },
  sigmoid: { expr: 'sigmoid_f32(v)', grad: 'dy * y * (1.0 - y)' },
  tanh: { expr: 'tanh_f32(v)', grad: 'dy * (1.0 - y * y)' },
};

export function assertActivation(op: string, act: unknown): asserts act is Activation {
  if (typeof act !== 'string' || !(act in ACTIVATIONS)) {
    throw new Error(`${op}: unknown activation '${String(act)}' (use ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
}
