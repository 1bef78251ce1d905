import argreduceSource from '../../shaders/argreduce.wgsl';
import reduceSource from '../../shaders/reduce.wgsl';
import { isCpuAdapter } from '../gpu/adapter-kind.js';
import { launch } from '../gpu/kernel.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderBody, shaderSection } from '../gpu/wgsl.js';
import { wgslType, type DType } from '../tensor/dtype.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';

/** How one reduction combines values; the expressions fill the slots of shaders/reduce.wgsl. */
export interface Reducer {
  name: string;
  init: (t: 'f32' | 'i32') => string;
  combine: (t: 'f32' | 'i32') => string;
}

export const REDUCERS = {
  sum: { name: 'sum', init: (t) => (t === 'f32' ? '0.0' : '0i'), combine: () => 'acc + v' },
  max: { name: 'max', init: (t) => (t === 'f32' ? '-inf_f32()' : 'i32(-2147483648)'), combine: (t) => (t === 'f32' ? 'nan_max(acc, v)' : 'max(acc, v)') },
  min: { name: 'min', init: (t) => (t === 'f32' ? 'inf_f32()' : '2147483647i'), combine: (t) => (t === 'f32' ? 'nan_min(acc, v)' : 'min(acc, v)') },
} satisfies Record<string, Reducer>;

export interface ReduceStage {
  reducer: Reducer;
  /** Expression of the loaded value in `v` (default `v`). */
  map?: string;
  /** Expression of the stored value in `acc` and `p.scale` (default `acc`). */
  final?: string;
  scale?: number;
}

/** Sizes of an input viewed as [outer, R, inner], reducing over R. */
export interface ReduceGeometry {
  outer: number;
  reduce: number;
  inner: number;
}

/** Forces the reduction layout (tests); null: per adapter (see reducePass). */
let forcedLayout: 'per_thread' | 'per_workgroup' | null = null;
export function forceReduceLayout(layout: 'per_thread' | 'per_workgroup' | null): void {
  forcedLayout = layout;
}

const TWO_PASS_MIN_REDUCE = 4096;
const TWO_PASS_MAX_OUTPUTS = 256;
const CHUNK = 1024;

/**
 * Reduces `x` (contiguous, viewed as [outer, R, inner]) over R into a flat [outer·inner] tensor.
 * Long reductions with few outputs run in two passes (chunks, then the chunk results).
 */
export function reduceMiddle(op: string, x: Tensor, geom: ReduceGeometry, stage: ReduceStage): Tensor {
  const { outer, reduce, inner } = geom;
  if (reduce > TWO_PASS_MIN_REDUCE && outer * inner <= TWO_PASS_MAX_OUTPUTS) {
    const chunks = Math.ceil(reduce / CHUNK);
    const partial = reducePass(op, x, geom, CHUNK, chunks, { reducer: stage.reducer, map: stage.map }, x.dtype);
    const result = reducePass(op, partial, { outer, reduce: chunks, inner }, chunks, 1, { reducer: stage.reducer, final: stage.final, scale: stage.scale }, x.dtype);
    partial.dispose();
    return result;
  }
  return reducePass(op, x, geom, Math.max(reduce, 1), 1, stage, x.dtype);
}

function reducePass(op: string, x: Tensor, geom: ReduceGeometry, chunk: number, chunks: number, stage: ReduceStage, dtype: DType): Tensor {
  const { outer, reduce, inner } = geom;
  const out = allocTensor([outer * chunks * inner], dtype);
  const outputs = outer * chunks * inner;
  if (outputs === 0) return out;
  const t = wgslType(x.dtype);
  // CPU adapters run a workgroup's barriers as coroutine switches and its workgroup memory lane by
  // lane: one invocation per output is ~5× faster there (lavapipe, 2 cores: sum over [0, 2, 3] of
  // [64, 32, 28, 28] 11.8 ms per workgroup, 2.3 ms per thread).
  const perWorkgroup = inner === 1 && (forcedLayout ? forcedLayout === 'per_workgroup' : chunk >= 128 && !isCpuAdapter());
  const variant = perWorkgroup ? 'per_workgroup' : 'per_thread';
  const map = stage.map ?? 'v';
  const final = stage.final ?? 'acc';
  const key = `reduce|${variant}|${stage.reducer.name}|${t}|${map}|${final}`;
  const wgsl = (): string =>
    WGSL_COMMON +
    fillTemplate(shaderSection(reduceSource, variant), {
      T: t,
      ACC: wgslType(dtype),
      INIT: stage.reducer.init(wgslType(dtype)),
      MAP: map,
      COMBINE: stage.reducer.combine(wgslType(dtype)),
      FINAL: final,
    });
  const uniforms = new UniformWriter().u32(outer).u32(reduce).u32(inner).u32(chunk).u32(chunks).f32(stage.scale ?? 1);
  launch(
    { name: op, key, wgsl },
    {
      bindings: [x.binding(op), out.binding(op)],
      uniforms,
      workgroups: perWorkgroup ? outputs : Math.ceil(outputs / 256),
    },
  );
  return out;
}

/** Index of the first maximum (`argmax`) or minimum (`argmin`) along R; NaN counts as the extreme, as in PyTorch. */
export function argReduceMiddle(op: 'argmax' | 'argmin', x: Tensor, geom: ReduceGeometry): Tensor {
  const { outer, reduce, inner } = geom;
  const out = allocTensor([outer * inner], 'int32');
  if (outer * inner === 0) return out;
  const t = wgslType(x.dtype);
  const cmp = op === 'argmax' ? '>' : '<';
  const better = t === 'f32' ? `!is_nan(best) && (is_nan(v) || v ${cmp} best)` : `v ${cmp} best`;
  const key = `argreduce|${op}|${t}`;
  const wgsl = (): string => WGSL_COMMON + fillTemplate(shaderBody(argreduceSource), { T: t, BETTER: better });
  launch(
    { name: op, key, wgsl },
    {
      bindings: [x.binding(op), out.binding(op)],
      uniforms: new UniformWriter().u32(outer).u32(reduce).u32(inner),
      workgroups: Math.ceil((outer * inner) / 256),
    },
  );
  return out;
}
