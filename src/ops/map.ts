import mapSource from '../../shaders/map.wgsl';
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

  const resolved = inputs.map((input) => {
    const strides = input.strides ?? broadcastStrides(input.tensor.shape, shape);
    const offset = input.offset ?? 0;
    const mode: Mode = strides.every((s) => s === 0) ? 'scalar' : offset === 0 && isContiguous(strides, shape) ? 'contiguous' : 'strided';
    return { ...input, strides, offset, mode };
  });
  const outStrides = spec.into?.strides ?? stridesOf(shape);
  const outOffset = spec.into?.offset ?? 0;
  const outStrided = spec.into !== undefined && !(outOffset === 0 && isContiguous(outStrides, shape));
  const general = outStrided || resolved.some((r) => r.mode === 'strided');

  const modes = resolved.map((r) => r.mode[0]).join('');
  const types = resolved.map((r) => wgslType(r.tensor.dtype)).join('');
  const outType = wgslType(out.dtype);
  const key = `map|${expr}|${resolved.map((r) => r.name).join(',')}|${types}>${outType}|${modes}|${general ? 'g' : 'c'}${outStrided ? 'o' : ''}`;

  const wgsl = (): string => {
    const stridedInputs = resolved.map((r, k) => ({ ...r, k })).filter((r) => r.mode === 'strided');
    const bindings = [
      ...resolved.map((r, k) => `@group(0) @binding(${k}) var<storage, read> in${k}: array<${wgslType(r.tensor.dtype)}>;`),
      `@group(0) @binding(${resolved.length}) var<storage, read_write> out: array<${outType}>;`,
      `@group(0) @binding(${resolved.length + 1}) var<uniform> p: Params;`,
    ].join('\n');
    let index: string;
    if (general) {
      const decls = [`var o_out = p.out_offset;`, ...stridedInputs.map((r) => `var o${r.k} = p.offset${r.k};`)];
      const steps = [
        outStrided ? `o_out += c * p.out_strides[d / 4u][d % 4u];` : '',
        ...stridedInputs.map((r) => `o${r.k} += c * p.strides${r.k}[d / 4u][d % 4u];`),
      ].filter(Boolean);
      if (!outStrided) decls[0] = 'let o_out = i;';
      index = [
        ...decls,
        'var rem = i;',
        'for (var dd = i32(p.rank) - 1; dd >= 0; dd--) {',
        '    let d = u32(dd);',
        '    let n = p.shape[d / 4u][d % 4u];',
        '    let c = rem % n;',
        '    rem = rem / n;',
        ...steps.map((s) => `    ${s}`),
        '  }',
      ].join('\n  ');
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
      })
    );
  };

  const uniforms = new UniformWriter().dims(shape).dims(outStrides);
  for (const r of resolved) if (r.mode === 'strided') uniforms.dims(r.strides);
  uniforms.u32(size).u32(shape.length).u32(outOffset);
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
      workgroups: Math.ceil(size / 256),
    },
  );
  return out;
}
