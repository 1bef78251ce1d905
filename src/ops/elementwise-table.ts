/**
 * One line of math per elementwise op (after webgpu-torch's op table): the WGSL forward expression
 * and the WGSL expression of the input gradient, side by side. Both generate map kernels; the
 * tests differentiate every entry numerically against its `grad`.
 *
 * Unary entries use `x` (input), `y` (output) and `dy` (output gradient). Binary entries use `a`,
 * `b`, `y`, `dy`. `int` is the expression for int32 tensors where the op is defined on them.
 */

export interface UnaryOpDef {
  expr: string;
  /** Gradient w.r.t. x; omitted for ops that are piecewise constant (their gradient is zero). */
  grad?: string;
  int?: string;
}

export const UNARY_OPS = {
  neg: { expr: '-x', grad: '-dy', int: '-x' },
  abs: { expr: 'abs(x)', grad: 'dy * sign(x)', int: 'abs(x)' },
  sign: { expr: 'sign(x)', int: 'sign(x)' },
  square: { expr: 'x * x', grad: 'dy * 2.0 * x', int: 'x * x' },
  sqrt: { expr: 'sqrt(x)', grad: 'dy * 0.5 / y' },
  rsqrt: { expr: 'inverseSqrt(x)', grad: 'dy * -0.5 * y * y * y' },
  reciprocal: { expr: '1.0 / x', grad: '-dy * y * y' },
  exp: { expr: 'exp(x)', grad: 'dy * y' },
  expm1: { expr: 'expm1_f32(x)', grad: 'dy * (y + 1.0)' },
  log: { expr: 'log(x)', grad: 'dy / x' },
  log1p: { expr: 'log1p_f32(x)', grad: 'dy / (1.0 + x)' },
  sin: { expr: 'sin(x)', grad: 'dy * cos(x)' },
  cos: { expr: 'cos(x)', grad: '-dy * sin(x)' },
  // relu(NaN) = NaN as in PyTorch; the gradient at 0 is 0.
  relu: { expr: 'select(x, 0.0, x < 0.0)', grad: 'select(0.0, dy, x > 0.0)', int: 'max(x, 0i)' },
  sigmoid: { expr: 'sigmoid_f32(x)', grad: 'dy * y * (1.0 - y)' },
  tanh: { expr: 'tanh_f32(x)', grad: 'dy * (1.0 - y * y)' },
  // PyTorch's softplus with beta = 1 and threshold = 20: linear above the threshold.
  softplus: { expr: 'softplus_f32(x)', grad: 'select(dy * sigmoid_f32(x), dy, x > 20.0)' },
  floor: { expr: 'floor(x)', int: 'x' },
  ceil: { expr: 'ceil(x)', int: 'x' },
  // Round half to even, like torch.round.
  round: { expr: 'round(x)', int: 'x' },
} satisfies Record<string, UnaryOpDef>;

export type UnaryOpName = keyof typeof UNARY_OPS;

export interface BinaryOpDef {
  expr: string;
  gradA: string;
  gradB: string;
  int?: string;
}

export const BINARY_OPS = {
  add: { expr: 'a + b', gradA: 'dy', gradB: 'dy', int: 'a + b' },
  sub: { expr: 'a - b', gradA: 'dy', gradB: '-dy', int: 'a - b' },
  mul: { expr: 'a * b', gradA: 'dy * b', gradB: 'dy * a', int: 'a * b' },
  div: { expr: 'a / b', gradA: 'dy / b', gradB: '-dy * a / (b * b)' },
  // PyTorch's pow_backward: zero gradient for exponent 0; for the exponent, zero where a = 0 and b ≥ 0.
  pow: {
    expr: 'pow_f32(a, b)',
    gradA: 'select(dy * b * pow_f32(a, b - 1.0), 0.0, b == 0.0)',
    gradB: 'select(dy * y * log(a), 0.0, a == 0.0 && b >= 0.0)',
  },
  // Ties split the gradient in half (torch.minimum / torch.maximum backward).
  minimum: {
    expr: 'nan_min(a, b)',
    gradA: 'select(select(dy, 0.5 * dy, a == b), 0.0, a > b)',
    gradB: 'select(select(dy, 0.5 * dy, a == b), 0.0, a < b)',
    int: 'min(a, b)',
  },
  maximum: {
    expr: 'nan_max(a, b)',
    gradA: 'select(select(dy, 0.5 * dy, a == b), 0.0, a < b)',
    gradB: 'select(select(dy, 0.5 * dy, a == b), 0.0, a > b)',
    int: 'max(a, b)',
  },
} satisfies Record<string, BinaryOpDef>;

export type BinaryOpName = keyof typeof BINARY_OPS;

/** Comparisons: non-differentiable, 1.0 where true and 0.0 where false (float32 output). */
export const COMPARE_OPS = {
  equal: '==',
  notEqual: '!=',
  less: '<',
  lessEqual: '<=',
  greater: '>',
  greaterEqual: '>=',
} as const;

export type CompareOpName = keyof typeof COMPARE_OPS;

/** Whether a WGSL expression mentions the identifier `name`. */
export function mentions(expr: string, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_.])${name}([^A-Za-z0-9_]|$)`).test(expr);
}
