/**
 * A float64 CPU reference for the tensor ops: plain Float64Arrays with a shape, row-major, NumPy
 * semantics. Deliberately simple (index arithmetic, no tricks) so that it is easy to trust; the GPU
 * results are compared against it.
 */

export interface Arr {
  data: Float64Array;
  shape: number[];
}

export function arr(data: ArrayLike<number>, shape: readonly number[]): Arr {
  const size = sizeOf(shape);
  if (data.length !== size) throw new Error(`ref.arr: ${data.length} values for shape [${shape.join(',')}]`);
  return { data: Float64Array.from(data), shape: [...shape] };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Multi-index of flat index `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx[d] = i % n;
    i = Math.floor(i / n);
  }
  return idx;
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`ref: cannot broadcast [${a}] and [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat index into `shape` of the element at multi-index `idx` of a broadcast output. */
function broadcastIndex(idx: readonly number[], shape: readonly number[]): number {
  const offset = idx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    flat = flat * n + (n === 1 ? 0 : idx[d + offset]!);
  }
  return flat;
}

/** Broadcasts `a` to `shape` (a copy). */
export function broadcastTo(a: Arr, shape: readonly number[]): Arr {
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = a.data[broadcastIndex(unravel(i, shape), a.shape)]!;
  return { data: out, shape: [...shape] };
}

export function map1(a: Arr, f: (x: number) => number): Arr {
  return { data: a.data.map(f), shape: [...a.shape] };
}

/** Elementwise f over any number of arrays, NumPy broadcasting. */
export function mapN(arrays: readonly Arr[], f: (...xs: number[]) => number): Arr {
  const shape = arrays.reduce<number[]>((s, a) => broadcastShape(s, a.shape), []);
  const out = new Float64Array(sizeOf(shape));
  const xs = new Array<number>(arrays.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    for (let k = 0; k < arrays.length; k++) xs[k] = arrays[k]!.data[broadcastIndex(idx, arrays[k]!.shape)]!;
    out[i] = f(...xs);
  }
  return { data: out, shape };
}

export function map2(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  return mapN([a, b], f);
}

export function normAxes(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return list.map((a) => (a < 0 ? a + rank : a)).sort((x, y) => x - y);
}

export type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * Reduction over `axes` (all when undefined). max/min propagate NaN; argmax/argmin return the
 * first index of the extreme (NaN counts as the extreme), over the given single axis.
 */
export function reduce(a: Arr, kind: ReduceKind, axes?: number | readonly number[], keepdims = false): Arr {
  const ax = normAxes(axes, a.shape.length);
  const kept = a.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const outShape = keepdims ? kept : a.shape.filter((_, i) => !ax.includes(i));
  const n = sizeOf(kept);
  const groups: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape);
    groups[broadcastIndex(idx, kept)]!.push(i);
  }
  const out = new Float64Array(n);
  groups.forEach((members, o) => {
    const vals = members.map((i) => a.data[i]!);
    switch (kind) {
      case 'sum':
        out[o] = vals.reduce((s, v) => s + v, 0);
        break;
      case 'mean':
        out[o] = vals.reduce((s, v) => s + v, 0) / vals.length;
        break;
      case 'max':
        out[o] = vals.some(Number.isNaN) ? NaN : Math.max(...vals);
        break;
      case 'min':
        out[o] = vals.some(Number.isNaN) ? NaN : Math.min(...vals);
        break;
      case 'argmax':
      case 'argmin': {
        let best = 0;
        for (let r = 1; r < vals.length; r++) {
          const v = vals[r]!;
          const b = vals[best]!;
          if (Number.isNaN(b)) break;
          if (Number.isNaN(v) || (kind === 'argmax' ? v > b : v < b)) best = r;
        }
        out[o] = best;
        break;
      }
    }
  });
  return { data: out, shape: outShape };
}

/** Sums a broadcast array back to `shape` (the gradient of broadcasting). */
export function sumToShape(g: Arr, shape: readonly number[]): Arr {
  const out = new Float64Array(sizeOf(shape));
  for (let i = 0; i < g.data.length; i++) out[broadcastIndex(unravel(i, g.shape), shape)] += g.data[i]!;
  return { data: out, shape: [...shape] };
}

export function transpose(a: Arr, perm?: readonly number[]): Arr {
  const p = perm ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  const shape = p.map((d) => a.shape[d]!);
  const inStrides = stridesOf(a.shape);
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, shape);
    let src = 0;
    for (let d = 0; d < p.length; d++) src += idx[d]! * inStrides[p[d]!]!;
    out[i] = a.data[src]!;
  }
  return { data: out, shape };
}

/** Swaps the last two axes. */
export function matrixT(a: Arr): Arr {
  const r = a.shape.length;
  const perm = a.shape.map((_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(a, perm);
}

/** NumPy matmul: 1-D operands promoted (and the added axis removed), batch dims broadcast. */
export function matmul(a: Arr, b: Arr): Arr {
  const a2 = a.shape.length === 1 ? { data: a.data, shape: [1, a.shape[0]!] } : a;
  const b2 = b.shape.length === 1 ? { data: b.data, shape: [b.shape[0]!, 1] } : b;
  const [M, K] = a2.shape.slice(-2) as [number, number];
  const [K2, N] = b2.shape.slice(-2) as [number, number];
  if (K !== K2) throw new Error(`ref.matmul: inner dims ${K} vs ${K2}`);
  const batch = broadcastShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const A = broadcastTo(a2, [...batch, M, K]);
  const B = broadcastTo(b2, [...batch, K, N]);
  const nb = sizeOf(batch);
  const out = new Float64Array(nb * M * N);
  for (let t = 0; t < nb; t++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += A.data[t * M * K + m * K + k]! * B.data[t * K * N + k * N + n]!;
        out[t * M * N + m * N + n] = acc;
      }
    }
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return { data: out, shape };
}

/** TF.js slice: `size[d] = -1` (or missing) means to the end. */
export function slice(a: Arr, begin: readonly number[], size?: readonly number[]): Arr {
  const starts = a.shape.map((_, d) => begin[d] ?? 0);
  const sizes = a.shape.map((n, d) => {
    const s = size?.[d] ?? -1;
    return s === -1 ? n - starts[d]! : s;
  });
  const strides = stridesOf(a.shape);
  const out = new Float64Array(sizeOf(sizes));
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, sizes);
    let src = 0;
    for (let d = 0; d < idx.length; d++) src += (idx[d]! + starts[d]!) * strides[d]!;
    out[i] = a.data[src]!;
  }
  return { data: out, shape: sizes };
}

export function concat(arrays: readonly Arr[], axis: number): Arr {
  const rank = arrays[0]!.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const shape = [...arrays[0]!.shape];
  shape[ax] = arrays.reduce((s, a) => s + a.shape[ax]!, 0);
  const out = new Float64Array(sizeOf(shape));
  const outStrides = stridesOf(shape);
  let start = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.data.length; i++) {
      const idx = unravel(i, a.shape);
      idx[ax] += start;
      out[idx.reduce((s, v, d) => s + v * outStrides[d]!, 0)] = a.data[i]!;
    }
    start += a.shape[ax]!;
  }
  return { data: out, shape };
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Round half to even (torch.round / WGSL round). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** log(1 + exp(x)) in float64 without overflow. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
