import mapSource from '../../shaders/map.wgsl';
import { isCpuAdapter } from '../gpu/adapter-kind.js';
import { launch } from '../gpu/kernel.js';
import { MAX_RANK, UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderBody } from '../gpu/wgsl.js';
import { wgslType, type DType } from '../tensor/dtype.js';
import { broadcastStrides, fmtShape, sizeOf, stridesOf, type Shape } from '../tensor/shape.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';

/** An input of a map kernel: a tensor, the name the expression uses for it, and how it is read. */
export interface MapInput {
  tensor: Tensor;
  name: string;
  /** Element strides per output dimension; default: broadcast from the tensor's own shape. */
  strides?: readonly number[];
  offset?: number;
}

export interface MapSpec {
  /** Op name for errors and kernel labels. */
  op: string;
  /** WGSL expression of the value at one output element, in terms of the input names and s0..s3. */
  expr: string;
  inputs: readonly MapInput[];
  shape: Shape;
  dtype: DType;
  /** Constants available to `expr` as the f32 values s0..s3 (an `{int}` is stored bit-exactly: read it as `bitcast<i32>(sK)`). */
  scalars?: readonly ScalarArg[];
  /** Write into a region of an existing tensor instead of a new one (used by concat). */
  into?: { tensor: Tensor; strides: readonly number[]; offset: number };
}

export type ScalarArg = number | { int: number };

type Mode = 'contiguous' | 'scalar' | 'strided';

function isContiguous(strides: readonly number[], shape: Shape): boolean {
  const own = stridesOf(shape);
  return shape.every((d, i) => d === 1 || strides[i] === own[i]);
}

/**
 * Merges adjacent dimensions that every strided operand walks contiguously (stride[d] =
 * stride[d+1]·shape[d+1], or 0 and 0 for broadcasts) and drops size-1 dimensions: a concat along
 * the channels of NCHW tensors indexes [N, C·H·W] instead of [N, C, H, W]. Fewer dimensions mean
 * fewer integer divisions per element, which CPU adapters run one lane at a time.
 */
function collapse(shape: Shape, strideSets: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const strides: number[][] = strideSets.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && strideSets.every((st, k) => strides[k]![last] === st[d]! * shape[d]!);
    if (mergeable) {
      dims[last]! *= shape[d]!;
      strideSets.forEach((st, k) => (strides[k]![last] = st[d]!));
    } else {
      dims.push(shape[d]!);
      strideSets.forEach((st, k) => strides[k]!.push(st[d]!));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strideSets.forEach((_, k) => strides[k]!.push(0));
  }
  return { shape: dims, strides };
}

/**
 * Elements per invocation: CPU adapters pay a fixed cost per invocation (a copy of 1.6M floats on
 * lavapipe, 2 cores: 12.5 ms with one element per invocation, 4.4 ms with 32), GPUs want one.
 * With the dimensions collapsed too (lavapipe, 2 cores): a concat of [64, 1, 28, 28] and
 * [64, 32, 28, 28] along the channels 44 → 4.3 ms, a binary op on 1.6M floats 13.6 → 3.7 ms.
 */
function elementsPerInvocation(size: number): number {
  if (!isCpuAdapter()) return 1;
  return size >= 1 << 16 ? 16 : 1;
}

/** Runs an elementwise map kernel and returns the output tensor. */
export function runMap(spec: MapSpec): Tensor {
  const { op, expr, inputs, shape } = spec;
  if (shape.length > MAX_RANK) throw new RangeError(`${op}: tensor rank ${shape.length} exceeds the maximum ${MAX_RANK} (shape ${fmtShape(shape)})`);
  if (inputs.length > 6) throw new Error(`${op}: a map kernel takes at most 6 inputs`);
  const scalars = spec.scalars ?? [];
  if (scalars.length > 4) throw new Error(`${op}: a map kernel takes at most 4 scalars`);
  const size = sizeOf(shape);
  const out = spec.into ? spec.into.tensor : allocTensor(shape, spec.dtype);
  if (size === 0) return out;

  const unresolved = inputs.map((input) => {
    const strides = input.strides ?? broadcastStrides(input.tensor.shape, shape);
    const offset = input.offset ?? 0;
    const mode: Mode = strides.every((s) => s === 0) ? 'scalar' : offset === 0 && isContiguous(strides, shape) ? 'contiguous' : 'strided';
    return { ...input, strides, offset, mode };
  });
  const fullOutStrides = spec.into?.strides ?? stridesOf(shape);
  const outOffset = spec.into?.offset ?? 0;
  const outStrided = spec.into !== undefined && !(outOffset === 0 && isContiguous(fullOutStrides, shape));
  const general = outStrided || unresolved.some((r) => r.mode === 'strided');

  // The general path indexes a collapsed shape: contiguous operands are indexed by the linear
  // index itself, so only the output (when strided) and the strided inputs constrain the merge.
  const constrained = [stridesOf(shape), ...(outStrided ? [fullOutStrides] : []), ...unresolved.filter((r) => r.mode === 'strided').map((r) => r.strides)];
  const folded = general ? collapse(shape, constrained) : { shape: [size], strides: constrained.map(() => [1]) };
  const kShape = folded.shape;
  const rank = kShape.length;
  const outStrides = outStrided ? folded.strides[1]! : stridesOf(kShape);
  let at = outStrided ? 2 : 1;
  const resolved = unresolved.map((r) => (r.mode === 'strided' ? { ...r, strides: folded.strides[at++]! } : r));
  const per = elementsPerInvocation(size);

  const modes = resolved.map((r) => r.mode[0]).join('');
  const types = resolved.map((r) => wgslType(r.tensor.dtype)).join('');
  const outType = wgslType(out.dtype);
  const key = `map|${expr}|${resolved.map((r) => r.name).join(',')}|${types}>${outType}|${modes}|${general ? `g${rank}` : 'c'}${outStrided ? 'o' : ''}|e${per}`;

  const wgsl = (): string => {
    const stridedInputs = resolved.map((r, k) => ({ ...r, k })).filter((r) => r.mode === 'strided');
    const bindings = [
      ...resolved.map((r, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${wgslType(r.tensor.dtype)}>;`),
      `@group(0) @binding(${resolved.length}) var<storage, read_write> out: array<${outType}>;`,
      `@group(0) @binding(${resolved.length + 1}) var<uniform> p: Params;`,
    ].join('\n');
    let index: string;
    if (general) {
      // Coordinates innermost first, unrolled over the (collapsed) rank: constant indices into
      // the uniform arrays, no loop.
      const lines = ['var rem = i;'];
      const field = (name: string, d: number): string => `p.${name}[${d >> 2}u][${d & 3}u]`;
      for (let d = rank - 1; d >= 0; d--) {
        if (d > 0) lines.push(`let c${d} = rem % ${field('shape', d)};`, `rem = rem / ${field('shape', d)};`);
        else lines.push(`let c${d} = rem;`);
      }
      const sumOf = (base: string, name: string): string => [base, ...Array.from({ length: rank }, (_, d) => `c${d} * ${field(name, d)}`)].join(' + ');
      lines.push(outStrided ? `let o_out = ${sumOf('p.out_offset', 'out_strides')};` : 'let o_out = i;');
      for (const r of stridedInputs) lines.push(`let o${r.k} = ${sumOf(`p.offset${r.k}`, `strides${r.k}`)};`);
      index = lines.join('\n  ');
    } else {
      index = 'let o_out = i;';
    }
    const loads = resolved
      .map((r, k) => {
        const at = r.mode === 'contiguous' ? 'i' : r.mode === 'scalar' ? `p.offset${k}` : `o${k}`;
        return `let ${r.name} = in${k}[${at}];`;
      })
      .join('\n  ');
    return (
      WGSL_COMMON +
      fillTemplate(shaderBody(mapSource), {
        INPUT_STRIDES: stridedInputs.map((r) => `strides${r.k}: array<vec4<u32>, 2>,`).join('\n  '),
        INPUT_OFFSETS: resolved.map((_, k) => `offset${k}: u32,`).join('\n  '),
        BINDINGS: bindings,
        INDEX: index,
        LOADS: loads,
        EXPR: expr,
        PER: per,
      })
    );
  };

  const uniforms = new UniformWriter().dims(kShape).dims(outStrides);
  for (const r of resolved) if (r.mode === 'strided') uniforms.dims(r.strides);
  uniforms.u32(size).u32(rank).u32(outOffset);
  for (const r of resolved) uniforms.u32(r.offset);
  for (let k = 0; k < 4; k++) {
    const s = scalars[k] ?? 0;
    if (typeof s === 'number') uniforms.f32(s);
    else uniforms.i32(s.int);
  }

  launch(
    { name: op, key, wgsl },
    {
      bindings: [...resolved.map((r) => r.tensor.binding(op)), out.binding(op)],
      uniforms,
      workgroups: Math.ceil(size / (256 * per)),
    },
  );
  return out;
}
