import { tidy } from '../tensor/tracking.js';
import { isTensor, type Tensor } from '../tensor/tensor.js';
import { zerosLike } from '../tensor/creation.js';
import { fmtShape } from '../tensor/shape.js';
import { backward } from './backward.js';
import { popTape, pushTape, Tape } from './tape.js';

export interface GradOptions {
  /** Which positional arguments to differentiate (default 0); an array gives an array of gradients. */
  argnums?: number | readonly number[];
  /** `f` returns `[scalar, aux]`; the result is then `[[value, aux], grads]` (JAX's has_aux). */
  hasAux?: boolean;
}

/** A gradient tree mirrors its argument: a Tensor, or arrays / plain objects of them. */
export type GradTree = Tensor | GradTree[] | { [key: string]: GradTree };

function mapTree(value: unknown, fn: (t: Tensor) => Tensor, path: string): GradTree {
  if (isTensor(value)) return fn(value);
  if (Array.isArray(value)) return value.map((v, i) => mapTree(v, fn, `${path}[${i}]`));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, GradTree> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapTree(v, fn, `${path}.${k}`);
    return out;
  }
  throw new TypeError(`grad: ${path} must be a Tensor or an array/object of Tensors to be differentiated, got ${value === null ? 'null' : typeof value}`);
}

function resolveArgnums(argnums: number | readonly number[] | undefined, count: number): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < 0 || a >= count) throw new RangeError(`grad: argnums ${JSON.stringify(argnums)} out of range for ${count} argument(s)`);
  }
  return list;
}

/**
 * `valueAndGrad(f, opts)(...args)` returns `[f(...args), gradients]`, the gradients of the scalar
 * f with respect to the arguments selected by `argnums` (tensors or trees of tensors, e.g.
 * `model.parameters()`). Intermediate tensors of f are disposed; value and gradients are new
 * tensors owned by the caller (or the enclosing tidy).
 */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor | [Tensor, unknown], opts: GradOptions = {}) {
  if (typeof f !== 'function') throw new TypeError('valueAndGrad: f must be a function');
  return (...args: A): [Tensor | [Tensor, unknown], GradTree | GradTree[]] => {
    const argnums = resolveArgnums(opts.argnums, args.length);
    const tape = new Tape();
    for (const a of argnums) {
      mapTree(args[a], (t) => {
        if (t.isDisposed) throw new Error(`grad: argument ${a} contains a disposed tensor ${fmtShape(t.shape)}`);
        if (t.dtype !== 'float32') throw new TypeError(`grad: can only differentiate float32 tensors; argument ${a} has an int32 tensor ${fmtShape(t.shape)}`);
        tape.track(t);
        return t;
      }, `argument ${a}`);
    }
    pushTape(tape);
    let popped = false;
    try {
      return tidy(() => {
        const out = f(...args);
        if (out instanceof Promise) throw new Error('valueAndGrad: f must be synchronous (it returned a Promise)');
        const value = opts.hasAux ? (out as [Tensor, unknown])[0] : (out as Tensor);
        if (opts.hasAux && !Array.isArray(out)) throw new TypeError('valueAndGrad: with hasAux, f must return [scalar, aux]');
        if (!isTensor(value) || value.size !== 1 || value.dtype !== 'float32') {
          throw new TypeError(`valueAndGrad: f must return a float32 scalar tensor, got ${isTensor(value) ? `${value.dtype} ${fmtShape(value.shape)}` : typeof value}`);
        }
        popTape(tape);
        popped = true;
        const grads = backward(tape, value);
        // A tensor passed in several places gets its (total) gradient in each of them.
        const given = new Set<number>();
        const take = (t: Tensor): Tensor => {
          const g = grads.get(t.id);
          if (!g) return zerosLike(t);
          if (given.has(t.id)) return g.view(g.shape, 'grad');
          given.add(t.id);
          return g;
        };
        const trees = argnums.map((a) => mapTree(args[a], take, `argument ${a}`));
        for (const [id, g] of grads) if (!given.has(id)) g.dispose();
        // The value is the caller's to dispose: a fresh alias, so that disposing it never frees a
        // tensor f merely passed through (f may return its argument, or a captured tensor).
        const owned = value.view(value.shape, 'valueAndGrad');
        const result = opts.hasAux ? [owned, (out as [Tensor, unknown])[1]] : owned;
        return [result, typeof opts.argnums === 'object' ? trees : trees[0]!] as [Tensor | [Tensor, unknown], GradTree | GradTree[]];
      });
    } finally {
      if (!popped) popTape(tape);
      tape.release();
    }
  };
}

/** Like `valueAndGrad`, returning only the gradients. */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, opts: GradOptions = {}) {
  const vg = valueAndGrad(f, opts);
  return (...args: A): GradTree | GradTree[] => {
    const [value, grads] = vg(...args);
    (value as Tensor).dispose();
    return grads;
  };
}

/** Runs `fn` without recording operations for differentiation. */
export function noGrad<T>(fn: () => T): T {
  pushTape(null);
  try {
    return fn();
  } finally {
    popTape(null);
  }
}
