// Every matmul kernel variant (tiled, register, subgroup), forced through `matmulKernel({ variant })`,
// against a float64 CPU reference: shapes that are no multiple of any tile, 1×K and M×1, K = 0,
// batches with stride 0 on either side, all four transpose combinations, the aligned-vec4 and the
// scalar load paths, the K % 4 tail, and bias + each activation. Small shapes and few pipelines:
// SwiftShader (Chromium) runs them slowly and every key compiles a pipeline.
// (The op-level matmul with the kernel chosen per adapter: matmul.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { runtime } from '../../src/gpu/runtime.js';
import { adapterKind, fixedSubgroupSize } from '../../src/gpu/adapter-kind.js';
import {
  matmulConfig,
  matmulKernel,
  type Activation,
  type MatmulTile,
  type MatmulVariant,
} from '../../src/ops/matmul-kernel.js';

beforeAll(async () => {
  await ps.init();
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Case {
  what: string;
  M: number;
  N: number;
  K: number;
  transA?: boolean;
  transB?: boolean;
  batch?: number;
  /** Whether A / B has one matrix per batch (else stride 0: shared by all batches). */
  batchedA?: boolean;
  batchedB?: boolean;
  bias?: boolean;
  act?: Activation;
}

const ACT: Record<Activation, (v: number) => number> = {
  none: (v) => v,
  relu: (v) => Math.max(v, 0),
  sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  tanh: (v) => Math.tanh(v),
};

/** float64 reference of act(opA(A[b]) · opB(B[b]) + bias), [batch, M, N] flat. */
function reference(c: Required<Case>, a: Float32Array, b: Float32Array, bias: Float32Array | null): Float64Array {
  const { M, N, K, batch } = c;
  const sa = c.batchedA ? M * K : 0;
  const sb = c.batchedB ? K * N : 0;
  const out = new Float64Array(batch * M * N);
  for (let q = 0; q < batch; q++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          s += a[q * sa + (c.transA ? k * M + m : m * K + k)]! * b[q * sb + (c.transB ? n * K + k : k * N + n)]!;
        }
        if (bias) s += bias[n]!;
        out[(q * M + m) * N + n] = ACT[c.act](s);
      }
    }
  }
  return out;
}

function complete(c: Case): Required<Case> {
  return { transA: false, transB: false, batch: 1, batchedA: true, batchedB: true, bias: false, act: 'none', ...c };
}

/**
 * The cases every variant runs. Keys (hence pipelines) repeat on purpose: 1×K, M×1, K = 0 and the
 * batches reuse the layouts of the first eight cases.
 */
const CASES: Case[] = [
  // Odd sizes: scalar loads, scalar stores, a K % 4 tail; each transpose combination, each activation.
  { what: '67×129 @ 129×45', M: 67, N: 45, K: 129 },
  { what: '67×129 @ (45×129)ᵀ + bias, relu', M: 67, N: 45, K: 129, transB: true, bias: true, act: 'relu' },
  { what: '(129×67)ᵀ @ 129×45 + bias, sigmoid', M: 67, N: 45, K: 129, transA: true, bias: true, act: 'sigmoid' },
  { what: '(129×67)ᵀ @ (45×129)ᵀ + bias, tanh', M: 67, N: 45, K: 129, transA: true, transB: true, bias: true, act: 'tanh' },
  // Sizes that allow aligned vec4 loads of both operands and vec4 stores.
  { what: '68×132 @ 132×44 (vec4) + bias', M: 68, N: 44, K: 132, bias: true },
  { what: '68×132 @ (44×132)ᵀ (vec4)', M: 68, N: 44, K: 132, transB: true },
  { what: '(132×68)ᵀ @ 132×44 (vec4)', M: 68, N: 44, K: 132, transA: true },
  { what: '(132×68)ᵀ @ (44×132)ᵀ (vec4) + bias, relu', M: 68, N: 44, K: 132, transA: true, transB: true, bias: true, act: 'relu' },
  // vec4 arrays with a K % 4 tail read element by element.
  { what: '(130×68)ᵀ @ 130×44 (vec4, K tail)', M: 68, N: 44, K: 130, transA: true },
  // Degenerate shapes (same keys as above).
  { what: '1×129 @ 129×45', M: 1, N: 45, K: 129 },
  { what: '67×129 @ 129×1', M: 67, N: 1, K: 129 },
  { what: '1×129 @ 129×1', M: 1, N: 1, K: 129 },
  { what: 'K = 0: bias only, relu', M: 5, N: 7, K: 0, transB: true, bias: true, act: 'relu' },
  { what: 'K = 3 (tail only)', M: 6, N: 5, K: 3 },
  // Batches with one operand shared (stride 0).
  { what: 'batch 3, A shared (stride 0), vec4 + bias', M: 68, N: 44, K: 132, batch: 3, batchedA: false, bias: true },
  { what: 'batch 3, B shared (stride 0), transposed, tanh', M: 67, N: 45, K: 129, batch: 3, batchedB: false, transA: true, transB: true, bias: true, act: 'tanh' },
];

/** |error| ≤ atol + rtol·|expected|; float32 accumulation over K ≤ 132 terms of magnitude < 1. */
const TOL = { rtol: 1e-5, atol: 2e-5 };

function firstMismatch(got: ArrayLike<number>, want: Float64Array): string | null {
  if (got.length !== want.length) return `got ${got.length} values, expected ${want.length}`;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i]! - want[i]!) <= TOL.atol + TOL.rtol * Math.abs(want[i]!);
    if (!ok) {
      bad++;
      if (first < 0) first = i;
    }
  }
  return bad ? `element ${first} is ${got[first]}, expected ${want[first]} (${bad} of ${want.length} out of tolerance)` : null;
}

/** Runs every case with one variant/tile, reads all results back in one batch, returns the failures. */
async function runCases(variant: MatmulVariant, tile: MatmulTile | undefined, cases: readonly Case[]): Promise<string[]> {
  const pending: { what: string; out: ps.Tensor; want: Float64Array }[] = [];
  const inputs: ps.Tensor[] = [];
  cases.forEach((partial, i) => {
    const c = complete(partial);
    const a = values(Math.max(1, (c.batchedA ? c.batch : 1) * c.M * c.K), 11 + i);
    const b = values(Math.max(1, (c.batchedB ? c.batch : 1) * c.K * c.N), 101 + i);
    const bias = c.bias ? values(c.N, 1001 + i) : null;
    const A = ps.tensor(a, [a.length]);
    const B = ps.tensor(b, [b.length]);
    const Bias = bias ? ps.tensor(bias, [c.N]) : null;
    inputs.push(A, B, ...(Bias ? [Bias] : []));
    const out = matmulKernel({
      op: `matmul-kernels test (${variant})`,
      a: A,
      b: B,
      transA: c.transA,
      transB: c.transB,
      M: c.M,
      N: c.N,
      K: c.K,
      batch: c.batch,
      batchStrideA: c.batchedA ? c.M * c.K : 0,
      batchStrideB: c.batchedB ? c.K * c.N : 0,
      bias: Bias,
      activation: c.act,
      variant,
      tile,
    });
    pending.push({ what: c.what, out, want: reference(c, a.subarray(0, (c.batchedA ? c.batch : 1) * c.M * c.K), b, bias) });
  });
  const data = await Promise.all(pending.map((p) => p.out.data()));
  const failures: string[] = [];
  pending.forEach((p, i) => {
    expect(p.out.shape).toEqual([complete(cases[i]!).batch, complete(cases[i]!).M, complete(cases[i]!).N]);
    const why = firstMismatch(data[i]!, p.want);
    if (why) failures.push(`${variant} ${tile ? JSON.stringify(tile) : '(default tile)'} ${p.what}: ${why}`);
  });
  for (const t of [...inputs, ...pending.map((p) => p.out)]) t.dispose();
  return failures;
}

/**
 * Small tiles for the full case list (faster-compiling pipelines; several row and column tiles
 * per matrix; `register` with cn = 2 exercises the multi-vec4 column code both variants share;
 * `subgroup` with rm = 2 × the subgroup size has every lane load two A units).
 */
function testTile(variant: MatmulVariant): MatmulTile {
  if (variant === 'tiled') return { wgX: 8, wgY: 8, rm: 4, cn: 1, tileK: 8 };
  if (variant === 'register') return { wgX: 4, wgY: 4, rm: 4, cn: 2, tileK: 4 };
  const sg = fixedSubgroupSize(runtime());
  return { wgX: sg, wgY: 1, rm: 2 * sg, cn: 1, tileK: 4 };
}

const hasSubgroupKernel = (): boolean => fixedSubgroupSize(runtime()) > 0;

describe('matmul kernels vs float64', () => {
  for (const variant of ['tiled', 'register', 'subgroup'] as const) {
    it(`${variant}: every case with a small tile`, { timeout: 300_000 }, async () => {
      if (variant === 'subgroup' && !hasSubgroupKernel()) {
        // Deno's wgpu (and GPUs with a variable subgroup size) offer no fixed-size subgroups: the
        // variant must refuse clearly rather than compute garbage.
        const A = ps.zeros([4]);
        expect(() => matmulKernel({ op: 't', a: A, b: A, transA: false, transB: false, M: 2, N: 2, K: 2, batch: 1, batchStrideA: 0, batchStrideB: 0, variant })).toThrow(/subgroup/);
        A.dispose();
        return;
      }
      expect(await runCases(variant, testTile(variant), CASES)).toEqual([]);
    });

    it(`${variant}: the default tile of this adapter`, { timeout: 300_000 }, async () => {
      if (variant === 'subgroup' && !hasSubgroupKernel()) {
        expect(hasSubgroupKernel()).toBe(false);
        return;
      }
      // Two layouts: scalar with a K tail and multiple row tiles, and vec4 with a shared operand.
      const cases: Case[] = [
        { what: '100×75 @ (70×75)ᵀ + bias, relu', M: 100, N: 70, K: 75, transB: true, bias: true, act: 'relu' },
        { what: 'batch 2, (132×96)ᵀ @ 132×40, B shared', M: 96, N: 40, K: 132, transA: true, batch: 2, batchedB: false },
      ];
      expect(await runCases(variant, undefined, cases)).toEqual([]);
    });
  }

  it('an all-zero batch or empty output launches nothing and returns the right shape', async () => {
    const A = ps.zeros([4]);
    const out = matmulKernel({ op: 't', a: A, b: A, transA: false, transB: false, M: 0, N: 3, K: 2, batch: 2, batchStrideA: 0, batchStrideB: 0 });
    expect(out.shape).toEqual([2, 0, 3]);
    out.dispose();
    A.dispose();
  });

  it('rejects tiles the device cannot run', () => {
    const A = ps.zeros([4]);
    const call = { op: 't', a: A, b: A, transA: false, transB: false, M: 2, N: 2, K: 2, batch: 1, batchStrideA: 0, batchStrideB: 0 };
    expect(() => matmulKernel({ ...call, variant: 'tiled', tile: { wgX: 64, wgY: 64, rm: 4, tileK: 16 } })).toThrow(/invocations/);
    expect(() => matmulKernel({ ...call, variant: 'tiled', tile: { wgX: 8, wgY: 8, rm: 6, tileK: 16 } })).toThrow(/multiple of 4/);
    expect(() => matmulKernel({ ...call, variant: 'register', tile: { wgX: 4, wgY: 4, rm: 0, tileK: 4 } })).toThrow(/positive integer/);
    A.dispose();
  });
});

describe('matmul kernel choice per adapter', () => {
  /** A stand-in runtime: only adapterInfo, device.features and limits are read. */
  function fakeRuntime(info: { vendor: string; architecture: string; description: string }, subgroups: number) {
    return {
      adapterInfo: { ...info, subgroupMinSize: subgroups, subgroupMaxSize: subgroups },
      device: { features: new Set(subgroups ? ['subgroups'] : []) },
      limits: {},
    } as unknown as Parameters<typeof matmulConfig>[0];
  }

  it('names the adapters it tunes for', () => {
    expect(adapterKind({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' })).toBe('lavapipe');
    expect(adapterKind({ vendor: '65541', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('lavapipe');
    expect(adapterKind({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe('swiftshader');
    expect(adapterKind({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe('gpu');
    expect(adapterKind({ vendor: '', architecture: '', description: '' })).toBe('gpu');
  });

  it('lavapipe and SwiftShader with subgroups: subgroup; without: register; GPUs: tiled', () => {
    const lavapipe = { vendor: 'mesa', architecture: 'software', description: 'llvmpipe' };
    const swiftshader = { vendor: 'google', architecture: 'swiftshader', description: '' };
    const gpu = { vendor: 'nvidia', architecture: 'hopper', description: '' };
    expect(matmulConfig(fakeRuntime(lavapipe, 8), 1024)).toEqual({ variant: 'subgroup', tile: { wgX: 8, wgY: 1, rm: 32, cn: 1, tileK: 4 } });
    expect(matmulConfig(fakeRuntime(swiftshader, 4), 1024)).toEqual({ variant: 'subgroup', tile: { wgX: 4, wgY: 1, rm: 16, cn: 1, tileK: 4 } });
    expect(matmulConfig(fakeRuntime(lavapipe, 0), 1024).variant).toBe('register');
    expect(matmulConfig(fakeRuntime(gpu, 32), 1024).variant).toBe('tiled');
    // Few rows: a shallower block wastes fewer padded rows.
    expect(matmulConfig(fakeRuntime(lavapipe, 8), 1).tile.rm).toBe(8);
    expect(matmulConfig(fakeRuntime(lavapipe, 8), 67).tile.rm).toBe(16);
  });

  it('this adapter gets the kernel its kind calls for', () => {
    const rt = runtime();
    const chosen = matmulConfig(rt, 1024).variant;
    const kind = adapterKind(rt.adapterInfo);
    if (kind === 'gpu') expect(chosen).toBe('tiled');
    else expect(chosen).toBe(fixedSubgroupSize(rt) > 0 ? 'subgroup' : 'register');
  });
});
