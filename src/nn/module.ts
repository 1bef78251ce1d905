import { assign } from '../tensor/assign.js';
import { fmtShape, shapeEquals } from '../tensor/shape.js';
import { isTensor, type Tensor } from '../tensor/tensor.js';
import { keep } from '../tensor/tracking.js';

/**
 * Base class of layers and models (after torch.nn.Module): parameters and buffers are registered
 * by name; submodules are discovered from the object's own properties in assignment order, so
 * `namedParameters()` and `stateDict()` produce PyTorch's names and order (`conv1.weight`,
 * `encoder.0.bn1.running_mean`, …) and a PyTorch state_dict loads without renaming.
 */
export abstract class Module {
  training = true;
  private readonly params_ = new Map<string, Tensor | null>();
  private readonly buffers_ = new Map<string, Tensor | null>();
  private readonly children_ = new Map<string, Module>();

  abstract forward(...args: never[]): unknown;

  /** Registers a trainable tensor under `name` (kept out of every tidy scope) and returns it. */
  protected param(name: string, t: Tensor | null): Tensor | null {
    if (t) keep(t);
    this.params_.set(name, t);
    return t;
  }

  /** Registers a non-trainable state tensor (e.g. running statistics) and returns it. */
  protected buffer(name: string, t: Tensor | null): Tensor | null {
    if (t) keep(t);
    this.buffers_.set(name, t);
    return t;
  }

  /**
   * Registers a submodule under an explicit name (for when the property name must differ from
   * the state-dict name, e.g. a CVAE whose `prior(x)` is a method) and returns it.
   */
  protected child<M extends Module>(name: string, m: M): M {
    this.children_.set(name, m);
    return m;
  }

  /** Direct submodules: explicitly registered ones, then properties holding a Module, in assignment order. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [...this.children_];
    const registered = new Set(this.children_.values());
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module && !registered.has(value)) out.push([name, value]);
    }
    return out;
  }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.params_) {
        if (t && !seen.has(t)) {
          seen.add(t);
          out.push([prefix ? `${prefix}.${name}` : name, t]);
        }
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, t] of m.buffers_) if (t) out.push([prefix ? `${prefix}.${name}` : name, t]);
    }
    return out;
  }

  /** Parameters and buffers by name, in PyTorch's order (each module's parameters, then its buffers, then its children). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const visit = (m: Module, prefix: string) => {
      for (const [name, t] of m.params_) if (t) out[prefix + name] = t;
      for (const [name, t] of m.buffers_) if (t) out[prefix + name] = t;
      for (const [name, child] of m.namedChildren()) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    return out;
  }

  /**
   * Copies values from `state` into this module's parameters and buffers. Every problem (missing
   * name, unexpected name, shape or dtype mismatch) is reported at once; nothing is copied then.
   */
  loadStateDict(state: Record<string, Tensor>, opts: { strict?: boolean } = {}): void {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const problems: string[] = [];
    for (const [name, t] of Object.entries(own)) {
      const src = state[name];
      if (src === undefined) {
        if (strict) problems.push(`missing '${name}' ${fmtShape(t.shape)}`);
      } else if (!isTensor(src)) {
        problems.push(`'${name}' is not a Tensor`);
      } else if (!shapeEquals(src.shape, t.shape)) {
        problems.push(`'${name}' has shape ${fmtShape(src.shape)}, expected ${fmtShape(t.shape)}`);
      } else if (src.dtype !== t.dtype) {
        problems.push(`'${name}' has dtype ${src.dtype}, expected ${t.dtype}`);
      }
    }
    if (strict) for (const name of Object.keys(state)) if (!(name in own)) problems.push(`unexpected '${name}'`);
    if (problems.length) throw new Error(`loadStateDict (${this.constructor.name}): ${problems.length} problem(s): ${problems.join('; ')}`);
    for (const [name, t] of Object.entries(own)) {
      const src = state[name];
      if (src) assign(t, src);
    }
  }

  /** Sets training mode (batch norm uses batch statistics) recursively; returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Frees the GPU memory of every parameter and buffer. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const t of m.params_.values()) t?.dispose();
      for (const t of m.buffers_.values()) t?.dispose();
    }
  }
}
