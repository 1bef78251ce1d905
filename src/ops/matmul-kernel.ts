import matmulSource from '../../shaders/matmul.wgsl';
import { foldWorkgroups, launch } from '../gpu/kernel.js';
import { runtime, type Runtime } from '../gpu/runtime.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderSection } from '../gpu/wgsl.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';

import { ACTIVATIONS, type Activation } from './activations.js';
import { adapterKind, fixedSubgroupSize } from '../gpu/adapter-kind.js';

export { ACTIVATIONS, type Activation };

/**
 * The three kernels of shaders/matmul.wgsl: `tiled` (workgroup-memory K tiles, for GPUs),
 * `register` (register-blocked, no workgroup memory) and `subgroup` (register-blocked, A shared
 * across a subgroup with subgroupBroadcast).
 */
export type MatmulVariant = 'tiled' | 'register' | 'subgroup';

/**
 * Tile shape of one variant. Output tile of a workgroup: (wgY·rm) × (wgX·4·cn).
 * - tiled: wgX × wgY invocations, rm rows (a multiple of 4) × 4 columns each, K staged tileK deep.
 * - register: wgX × wgY invocations, rm rows × 4·cn columns each.
 * - subgroup: wgX = the subgroup size (one subgroup per workgroup), wgY = 1; every lane computes
 *   rm rows (a multiple of wgX and of 4) × 4·cn columns.
 */
export interface MatmulTile {
  wgX: number;
  wgY: number;
  rm: number;
  /** Columns per invocation in units of 4 (default 1). */
  cn?: number;
  /** `tiled` only: depth of the K slices staged in workgroup memory. */
  tileK: number;
}

export interface MatmulConfig {
  variant: MatmulVariant;
  tile: MatmulTile;
}

/** The `tiled` default: 64×64 output tiles, 16×16 invocations of 4×4, 16-deep K slices (8 KiB of workgroup memory). */
export const DEFAULT_TILE: MatmulTile = { wgX: 16, wgY: 16, rm: 4, cn: 1, tileK: 16 };

export interface MatmulCall {
  op: string;
  a: Tensor;
  b: Tensor;
  /** opA(A) is [M, K]: A is stored [M, K], or [K, M] when transA. */
  transA: boolean;
  transB: boolean;
  M: number;
  N: number;
  K: number;
  batch: number;
  /** Element strides between batches of A and B (0 broadcasts one matrix over the batch). */
  batchStrideA: number;
  batchStrideB: number;
  bias?: Tensor | null;
  activation?: Activation;
  /** Forces a kernel (tests, benchmarks); default: chosen per adapter by `matmulConfig`. */
  variant?: MatmulVariant;
  /** Forces a tile shape (with `variant`, or for the chosen variant). */
  tile?: MatmulTile;
}

/** What the kernel text depends on besides the tile: transposes and the aligned-vec4 fast paths. */
export interface MatmulLayout {
  transA: boolean;
  transB: boolean;
  /** A is read in aligned vec4 units: along k (A stored [M, K], K % 4 = 0) or along m (Aᵀ stored [K, M], M % 4 = 0). */
  vecA: boolean;
  /** B is read in aligned vec4 units: along n (B stored [K, N], N % 4 = 0) or along k (Bᵀ stored [N, K], K % 4 = 0). */
  vecB: boolean;
  /** C rows are written as vec4 (N % 4 = 0). */
  vecOut: boolean;
  bias: boolean;
  act: Activation;
}

// ---------------------------------------------------------------------------------------------
// Choosing a kernel per adapter
// ---------------------------------------------------------------------------------------------

/**
 * Picks the row count per invocation of the register kernels: the largest candidate whose row
 * padding (rows computed past M, thrown away) stays within 25 % of M, else the smallest.
 */
function pickRows(M: number, candidates: readonly number[]): number {
  for (const rm of candidates) if (Math.ceil(M / rm) * rm <= 1.25 * M) return rm;
  return candidates[candidates.length - 1]!;
}

/**
 * The kernel for this adapter and shape. Measured with `npm run bench` on this project's 2-core
 * CI machine (float32, 1024³ unless noted; bench/README.md has the full table):
 * - lavapipe (llvmpipe 25.0 via Dawn/Vulkan): llvmpipe runs 8 invocations as SIMD lanes and does
 *   every storage load whose address varies per lane one lane at a time (extract, bounds check,
 *   scalar load, insert), so loads, not FMAs, bound a matmul. `subgroup`, 8 lanes × 32 rows × 4
 *   columns (each A element loaded once per subgroup instead of once per lane): 31-36 GFLOP/s;
 *   `register`, 8×4 invocations × 8×8: 11-13; `tiled` 64×64: ~5 (the kernel before this one:
 *   2.5). rm 64 is no faster than 32 (both ~20 GFLOP per CPU-second) but compiles 3× longer;
 *   rm 16: ~16. Deeper blocks beat shallower ones despite register spills, because a spill is
 *   one vector load/store while a storage load costs one scalar load per lane.
 * - SwiftShader (Chromium, Subzero, 4 lanes): `subgroup` 4 lanes × 16×4: ~8 GFLOP/s (8×8 is as
 *   fast; 16×8 and 32×4 lose, Subzero spills worse); `register` 8×8: 3.4-6.6; `tiled`: 0.6.
 * - Deno (wgpu on lavapipe) offers no subgroups: `register`, ~9-13.
 * - Real GPUs: `tiled`, the layout GPUs are built for (not measurable on this machine).
 * Dawn's toggles (disable_robustness, skip_validation) changed nothing measurable on lavapipe.
 */
export function matmulConfig(rt: Runtime, M: number): MatmulConfig {
  const kind = adapterKind(rt.adapterInfo);
  if (kind === 'gpu') return { variant: 'tiled', tile: DEFAULT_TILE };
  const sg = fixedSubgroupSize(rt);
  if (kind === 'lavapipe' && sg === 8) return { variant: 'subgroup', tile: { wgX: 8, wgY: 1, rm: pickRows(M, [32, 16, 8]), cn: 1, tileK: 4 } };
  if (kind === 'swiftshader' && sg === 4) return { variant: 'subgroup', tile: { wgX: 4, wgY: 1, rm: pickRows(M, [16, 8, 4]), cn: 1, tileK: 4 } };
  if (sg === 4 || sg === 8) return { variant: 'subgroup', tile: { wgX: sg, wgY: 1, rm: pickRows(M, [4 * sg, 2 * sg, sg]), cn: 1, tileK: 4 } };
  return { variant: 'register', tile: { wgX: 8, wgY: 4, rm: pickRows(M, [8, 4]), cn: 2, tileK: 4 } };
}

/** Checks a forced or chosen configuration against the device; throws naming what does not fit. */
function validateConfig(rt: Runtime, { variant, tile }: MatmulConfig): void {
  const { wgX, wgY, rm } = tile;
  const cn = tile.cn ?? 1;
  const bad = (why: string): never => {
    throw new Error(`matmul: ${variant} tile ${JSON.stringify(tile)} is not usable: ${why}`);
  };
  for (const [name, v] of [['wgX', wgX], ['wgY', wgY], ['rm', rm], ['cn', cn], ['tileK', tile.tileK]] as const) {
    if (!Number.isInteger(v) || v < 1) bad(`${name} must be a positive integer`);
  }
  const invocations = wgX * wgY;
  const maxInvocations = rt.limits.maxComputeInvocationsPerWorkgroup ?? 256;
  if (invocations > maxInvocations) bad(`${invocations} invocations exceed this device's ${maxInvocations}`);
  if (variant === 'tiled') {
    if (rm % 4 !== 0) bad('rm must be a multiple of 4');
    if (cn !== 1) bad('the tiled kernel computes 4 columns per invocation (cn = 1)');
    const bytes = 4 * tile.tileK * (wgY * rm + wgX * 4);
    const maxBytes = rt.limits.maxComputeWorkgroupStorageSize ?? 16384;
    if (bytes > maxBytes) bad(`${bytes} bytes of workgroup memory exceed this device's ${maxBytes}`);
  } else if (variant === 'subgroup') {
    const sg = fixedSubgroupSize(rt);
    if (sg === 0) bad("this device has no fixed-size subgroups (the 'subgroups' feature, subgroupMinSize = subgroupMaxSize)");
    if (wgX !== sg || wgY !== 1) bad(`one subgroup per workgroup is required: wgX = ${sg}, wgY = 1`);
    if (rm % sg !== 0 || rm % 4 !== 0) bad(`rm must be a multiple of the subgroup size ${sg} and of 4`);
  }
}

// ---------------------------------------------------------------------------------------------
// The kernel
// ---------------------------------------------------------------------------------------------

/** Runs a batched matmul kernel; the output is [batch, M, N] (flat). */
export function matmulKernel(call: MatmulCall): Tensor {
  const { op, a, b, transA, transB, M, N, K, batch } = call;
  const act = call.activation ?? 'none';
  const bias = call.bias ?? null;
  const out = allocTensor([batch, M, N], 'float32');
  if (batch * M * N === 0) return out;
  const rt = runtime();
  const chosen = call.variant ? null : matmulConfig(rt, M);
  const config: MatmulConfig = {
    variant: call.variant ?? chosen!.variant,
    tile: call.tile ?? (call.variant ? defaultTileFor(rt, call.variant, M) : chosen!.tile),
  };
  validateConfig(rt, config);
  // The vec4 paths need every vec4 unit aligned; batch strides are multiples of the matrix sizes,
  // so aligned matrices stay aligned. With K = 0 the operands are 4-byte placeholders: no vec4.
  const layout: MatmulLayout = {
    transA,
    transB,
    vecA: K > 0 && (transA ? M % 4 === 0 : K % 4 === 0) && call.batchStrideA % 4 === 0,
    vecB: K > 0 && (transB ? K % 4 === 0 : N % 4 === 0) && call.batchStrideB % 4 === 0,
    vecOut: N % 4 === 0,
    bias: bias !== null,
    act,
  };
  const { variant, tile } = config;
  const cn = tile.cn ?? 1;
  const tileM = tile.wgY * tile.rm;
  const tileN = tile.wgX * 4 * cn;
  const key =
    `matmul|${variant}|${tile.wgX}x${tile.wgY}|rm${tile.rm}|cn${cn}|tk${variant === 'tiled' ? tile.tileK : 0}|` +
    `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}|${layout.vecA ? 'va' : ''}${layout.vecB ? 'vb' : ''}${layout.vecOut ? 'vc' : ''}|${bias ? 'bias' : ''}|${act}`;
  const rowTiles = Math.ceil(M / tileM);
  const uniforms = new UniformWriter().u32(M).u32(N).u32(K).u32(call.batchStrideA).u32(call.batchStrideB).u32(rowTiles).u32(batch);
  const [pairsY, pairsZ] = foldWorkgroups(rowTiles * batch, rt.maxWorkgroupsPerDimension);
  launch(
    { name: op, key, wgsl: () => matmulWgsl(config, layout) },
    {
      bindings: [a.binding(op), b.binding(op), ...(bias ? [bias.binding(op)] : []), out.binding(op)],
      uniforms,
      workgroups: [Math.ceil(N / tileN), pairsY, pairsZ],
    },
  );
  return out;
}

/** The default tile of a forced variant on this device. */
function defaultTileFor(rt: Runtime, variant: MatmulVariant, M: number): MatmulTile {
  const chosen = matmulConfig(rt, M);
  if (chosen.variant === variant) return chosen.tile;
  if (variant === 'tiled') return DEFAULT_TILE;
  if (variant === 'register') return { wgX: 8, wgY: 4, rm: 8, cn: 2, tileK: 4 };
  const sg = fixedSubgroupSize(rt) || 8;
  return { wgX: sg, wgY: 1, rm: 2 * sg, cn: 1, tileK: 4 };
}

// ---------------------------------------------------------------------------------------------
// WGSL generation
// ---------------------------------------------------------------------------------------------

const COMPONENTS = ['x', 'y', 'z', 'w'] as const;
const comp = (i: number): string => COMPONENTS[i]!;

/** The complete WGSL of one configuration (exported for tests and for reading the generated code). */
export function matmulWgsl(config: MatmulConfig, layout: MatmulLayout): string {
  const { variant, tile } = config;
  const shared = sharedSlots(layout);
  if (variant === 'tiled') {
    const text = fillTemplate(shaderSection(matmulSource, 'tiled'), {
      ...shared,
      WG_X: tile.wgX,
      WG_Y: tile.wgY,
      RM: tile.rm,
      TILE_K: tile.tileK,
      STAGE_A: stageA(layout),
      STAGE_B: stageB(layout),
    });
    return WGSL_COMMON + text;
  }
  const body = registerBody(config, layout);
  const text = fillTemplate(shaderSection(matmulSource, 'register'), { ...shared, ...body });
  // `enable` directives must precede every declaration, WGSL_COMMON's included.
  return (variant === 'subgroup' ? 'enable subgroups;\n' : '') + WGSL_COMMON + text;
}

function sharedSlots(layout: MatmulLayout): Record<string, string> {
  const outType = layout.vecOut ? 'vec4<f32>' : 'f32';
  const biasType = layout.vecOut ? 'vec4<f32>' : 'f32';
  const bindings = layout.bias
    ? [
        `@group(0) @binding(2) var<storage, read> bias: array<${biasType}>;`,
        `@group(0) @binding(3) var<storage, read_write> out: array<${outType}>;`,
        '@group(0) @binding(4) var<uniform> p: Params;',
      ]
    : [`@group(0) @binding(2) var<storage, read_write> out: array<${outType}>;`, '@group(0) @binding(3) var<uniform> p: Params;'];
  let store4: string;
  if (layout.vecOut) {
    // N % 4 = 0 and n % 4 = 0: the four columns are all inside or all outside.
    store4 = [
      'if (n >= p.N) { return; }',
      `  let v = acc${layout.bias ? ' + bias[n >> 2u]' : ''};`,
      '  out[(base_c + m * p.N + n) >> 2u] = vec4<f32>(activation(v.x), activation(v.y), activation(v.z), activation(v.w));',
    ].join('\n');
  } else {
    store4 = [0, 1, 2, 3]
      .map((c) => `if (n + ${c}u < p.N) { out[base_c + m * p.N + n + ${c}u] = activation(acc.${comp(c)}${layout.bias ? ` + bias[n + ${c}u]` : ''}); }`)
      .join('\n  ');
  }
  return {
    A_TYPE: layout.vecA ? 'vec4<f32>' : 'f32',
    B_TYPE: layout.vecB ? 'vec4<f32>' : 'f32',
    A_AT: layout.vecA ? 'a[i >> 2u][i & 3u]' : 'a[i]',
    B_AT: layout.vecB ? 'b[i >> 2u][i & 3u]' : 'b[i]',
    BINDINGS: bindings.join('\n'),
    ACT: ACTIVATIONS[layout.act].expr,
    STORE4: store4,
  };
}

/** Flat element index of A(m, k) / B(k, n) (WGSL expressions; base_a/base_b are the batch offsets). */
const indexA = (layout: MatmulLayout, m: string, k: string): string => (layout.transA ? `base_a + (${k}) * M + ${m}` : `base_a + (${m}) * K + ${k}`);
const indexB = (layout: MatmulLayout, k: string, n: string): string => (layout.transB ? `base_b + (${n}) * K + ${k}` : `base_b + (${k}) * N + ${n}`);

/** tiled: the loop that stages A's TILE_M × TILE_K slice at k0 into tile_a[k][m / 4][m % 4]. */
function stageA(layout: MatmulLayout): string {
  const lines: string[] = [];
  if (layout.vecA && !layout.transA) {
    // Units: one row × 4 consecutive k (K % 4 = 0, so a unit is all inside or all outside).
    lines.push(
      'for (var u = lindex; u < TILE_M * (TILE_K / 4u); u += THREADS) {',
      '  let m = u / (TILE_K / 4u);',
      '  let k = (u % (TILE_K / 4u)) * 4u;',
      '  var v = vec4<f32>(0.0);',
      '  if (row0 + m < M && k0 + k < K) { v = a[(base_a + (row0 + m) * K + k0 + k) >> 2u]; }',
      '  tile_a[k][m >> 2u][m & 3u] = v.x;',
      '  tile_a[k + 1u][m >> 2u][m & 3u] = v.y;',
      '  tile_a[k + 2u][m >> 2u][m & 3u] = v.z;',
      '  tile_a[k + 3u][m >> 2u][m & 3u] = v.w;',
      '}',
    );
  } else if (layout.vecA) {
    // Aᵀ stored [K, M], M % 4 = 0: units of 4 consecutive rows at one k, stored as they are.
    lines.push(
      'for (var u = lindex; u < TILE_K * (TILE_M / 4u); u += THREADS) {',
      '  let k = u / (TILE_M / 4u);',
      '  let m4 = u % (TILE_M / 4u);',
      '  var v = vec4<f32>(0.0);',
      '  if (row0 + 4u * m4 < M && k0 + k < K) { v = a[(base_a + (k0 + k) * M + row0 + 4u * m4) >> 2u]; }',
      '  tile_a[k][m4] = v;',
      '}',
    );
  } else {
    lines.push(
      'for (var u = lindex; u < TILE_M * TILE_K; u += THREADS) {',
      '  let m = u / TILE_K;',
      '  let k = u % TILE_K;',
      '  var v = 0.0;',
      `  if (row0 + m < M && k0 + k < K) { v = a[${indexA(layout, 'row0 + m', 'k0 + k')}]; }`,
      '  tile_a[k][m >> 2u][m & 3u] = v;',
      '}',
    );
  }
  return indent(lines, 4);
}

/** tiled: the loop that stages B's TILE_K × TILE_N slice at k0 into tile_b[k][n / 4][n % 4]. */
function stageB(layout: MatmulLayout): string {
  const lines: string[] = [];
  if (layout.vecB && !layout.transB) {
    // B stored [K, N], N % 4 = 0: units of 4 consecutive columns at one k.
    lines.push(
      'for (var u = lindex; u < TILE_K * WG_X; u += THREADS) {',
      '  let k = u / WG_X;',
      '  let n4 = u % WG_X;',
      '  var v = vec4<f32>(0.0);',
      '  if (col0 + 4u * n4 < N && k0 + k < K) { v = b[(base_b + (k0 + k) * N + col0 + 4u * n4) >> 2u]; }',
      '  tile_b[k][n4] = v;',
      '}',
    );
  } else if (layout.vecB) {
    // Bᵀ stored [N, K], K % 4 = 0: units of 4 consecutive k at one column.
    lines.push(
      'for (var u = lindex; u < TILE_N * (TILE_K / 4u); u += THREADS) {',
      '  let n = u / (TILE_K / 4u);',
      '  let k = (u % (TILE_K / 4u)) * 4u;',
      '  var v = vec4<f32>(0.0);',
      '  if (col0 + n < N && k0 + k < K) { v = b[(base_b + (col0 + n) * K + k0 + k) >> 2u]; }',
      '  tile_b[k][n >> 2u][n & 3u] = v.x;',
      '  tile_b[k + 1u][n >> 2u][n & 3u] = v.y;',
      '  tile_b[k + 2u][n >> 2u][n & 3u] = v.z;',
      '  tile_b[k + 3u][n >> 2u][n & 3u] = v.w;',
      '}',
    );
  } else {
    lines.push(
      'for (var u = lindex; u < TILE_K * TILE_N; u += THREADS) {',
      '  let k = u / TILE_N;',
      '  let n = u % TILE_N;',
      '  var v = 0.0;',
      `  if (col0 + n < N && k0 + k < K) { v = b[${indexB(layout, 'k0 + k', 'col0 + n')}]; }`,
      '  tile_b[k][n >> 2u][n & 3u] = v;',
      '}',
    );
  }
  return indent(lines, 4);
}

/**
 * register / subgroup: the unrolled body. Naming: acc<r>_<j> accumulates rows r and columns
 * 4j..4j+3 of this invocation's block; bv<i>_<j> holds B(k+i, 4j..4j+3); A(r, k+i) is a scalar
 * expression produced by `aValue`.
 *
 * How A is read (per 4-deep k step, `vecA` + layout):
 * - stored [M, K] (vec or 4 scalars): one unit per row = A(r, k..k+3).
 * - stored [K, M] with M % 4 = 0: one unit per (k+i, 4 rows) = A(4g..4g+3, k+i).
 * - stored [K, M] otherwise: one unit per row built from 4 strided scalars.
 * `register` loads all RM units itself; `subgroup` lane l loads units l, l+SG, … and every lane
 * takes the unit it needs from its owner with subgroupBroadcast (constant lane index).
 */
function registerBody(config: MatmulConfig, layout: MatmulLayout): Record<string, string | number> {
  const { variant, tile } = config;
  const sub = variant === 'subgroup';
  const SG = sub ? tile.wgX : 1;
  const RM = tile.rm;
  const CN = tile.cn ?? 1;
  const RN = 4 * CN;
  const rowsByK = layout.vecA && layout.transA; // units are 4 rows at one k
  const colsVec = layout.vecB && !layout.transB; // B units are 4 columns at one k
  const setup: string[] = [];
  const step: string[] = [];
  const tail: string[] = [];
  const epilogue: string[] = [];

  // Rows. register: this invocation's rows m<r>. subgroup: the rows whose units this lane loads, ma<s>.
  if (sub) {
    for (let s = 0; s < RM / SG; s++) setup.push(`let ma${s} = min(row + lane + ${s * SG}u, M - 1u);`);
    if (rowsByK) {
      // Unit u = i·(RM/4) + g (4 rows 4g.. at k+i); this lane loads u = lane + s·SG.
      for (let s = 0; s < RM / SG; s++) {
        setup.push(`let ia${s} = (lane + ${s * SG}u) / ${RM / 4}u;`);
        setup.push(`let ga${s} = min(row + ((lane + ${s * SG}u) % ${RM / 4}u) * 4u, M - 4u);`);
      }
    }
  } else {
    for (let r = 0; r < RM; r++) setup.push(`let m${r} = min(row + ${r}u, M - 1u);`);
    if (rowsByK) for (let g = 0; g < RM / 4; g++) setup.push(`let mg${g} = min(row + ${4 * g}u, M - 4u);`);
  }
  // Columns: n<c> (clamped), or nj<j> (first of 4, clamped to N - 4, N % 4 = 0) for vec4 units of B.
  if (colsVec) for (let j = 0; j < CN; j++) setup.push(`let nj${j} = min(col + ${4 * j}u, N - 4u);`);
  else for (let c = 0; c < RN; c++) setup.push(`let n${c} = min(col + ${c}u, N - 1u);`);
  const column = (c: number): string => (colsVec ? `nj${c >> 2} + ${c & 3}u` : `n${c}`);
  for (let r = 0; r < RM; r++) for (let j = 0; j < CN; j++) setup.push(`var acc${r}_${j} = vec4<f32>(0.0);`);

  // --- K step: B ---
  if (colsVec) {
    for (let i = 0; i < 4; i++) for (let j = 0; j < CN; j++) step.push(`let bv${i}_${j} = b[(base_b + (k + ${i}u) * N + nj${j}) >> 2u];`);
  } else if (layout.vecB) {
    // Bᵀ stored [N, K]: one vec4 along k per column, transposed in registers.
    for (let c = 0; c < RN; c++) step.push(`let bt${c} = b[(base_b + n${c} * K + k) >> 2u];`);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < CN; j++) step.push(`let bv${i}_${j} = vec4<f32>(${[0, 1, 2, 3].map((c) => `bt${4 * j + c}.${comp(i)}`).join(', ')});`);
    }
  } else {
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < CN; j++) step.push(`let bv${i}_${j} = vec4<f32>(${[0, 1, 2, 3].map((c) => `b[${indexB(layout, `k + ${i}u`, column(4 * j + c))}]`).join(', ')});`);
    }
  }

  // --- K step: A units ---
  const rowUnit = (m: string): string => {
    if (layout.vecA) return `a[(base_a + ${m} * K + k) >> 2u]`; // [M, K], K % 4 = 0
    return `vec4<f32>(${[0, 1, 2, 3].map((i) => `a[${indexA(layout, m, `k + ${i}u`)}]`).join(', ')})`;
  };
  let aValue: (r: number, i: number) => string;
  if (sub) {
    for (let s = 0; s < RM / SG; s++) {
      step.push(rowsByK ? `let va${s} = a[(base_a + (k + ia${s}) * M + ga${s}) >> 2u];` : `let va${s} = ${rowUnit(`ma${s}`)};`);
    }
    aValue = rowsByK ? (r, i) => `ab${i}_${r >> 2}.${comp(r & 3)}` : (r, i) => `ar${r}.${comp(i)}`;
  } else {
    if (rowsByK) {
      for (let i = 0; i < 4; i++) for (let g = 0; g < RM / 4; g++) step.push(`let va${i}_${g} = a[(base_a + (k + ${i}u) * M + mg${g}) >> 2u];`);
      aValue = (r, i) => `va${i}_${r >> 2}.${comp(r & 3)}`;
    } else {
      for (let r = 0; r < RM; r++) step.push(`let va${r} = ${rowUnit(`m${r}`)};`);
      aValue = (r, i) => `va${r}.${comp(i)}`;
    }
  }
  // --- K step: FMAs, row by row (each accumulator is updated 4·CN times in a row) ---
  for (let r = 0; r < RM; r++) {
    if (sub && rowsByK && r % 4 === 0) {
      for (let i = 0; i < 4; i++) {
        const u = i * (RM / 4) + (r >> 2);
        step.push(`let ab${i}_${r >> 2} = subgroupBroadcast(va${Math.floor(u / SG)}, ${u % SG}u);`);
      }
    } else if (sub && !rowsByK) {
      step.push(`let ar${r} = subgroupBroadcast(va${Math.floor(r / SG)}, ${r % SG}u);`);
    }
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < CN; j++) step.push(`acc${r}_${j} = fma(vec4<f32>(${aValue(r, i)}), bv${i}_${j}, acc${r}_${j});`);
    }
  }

  // --- K tail (one k): element loads through a_at/b_at, whatever the array type ---
  for (let j = 0; j < CN; j++) {
    tail.push(`let bk${j} = vec4<f32>(${[0, 1, 2, 3].map((c) => `b_at(${indexB(layout, 'k', column(4 * j + c))})`).join(', ')});`);
  }
  if (sub) {
    for (let s = 0; s < RM / SG; s++) tail.push(`let ak${s} = a_at(${indexA(layout, `ma${s}`, 'k')});`);
  }
  for (let r = 0; r < RM; r++) {
    const av = sub ? `subgroupBroadcast(ak${Math.floor(r / SG)}, ${r % SG}u)` : `a_at(${indexA(layout, `m${r}`, 'k')})`;
    tail.push(`let akr${r} = vec4<f32>(${av});`);
    for (let j = 0; j < CN; j++) tail.push(`acc${r}_${j} = fma(akr${r}, bk${j}, acc${r}_${j});`);
  }

  for (let r = 0; r < RM; r++) for (let j = 0; j < CN; j++) epilogue.push(`store4(base_c, row + ${r}u, col + ${4 * j}u, acc${r}_${j});`);

  return {
    WG_X: tile.wgX,
    WG_Y: sub ? 1 : tile.wgY,
    BUILTINS: sub ? ',\n        @builtin(subgroup_invocation_id) lane: u32' : '',
    TILE_M: sub ? RM : tile.wgY * RM,
    TILE_N: tile.wgX * RN,
    ROW: sub ? '0u' : `lid.y * ${RM}u`,
    COL: sub ? `lane * ${RN}u` : `lid.x * ${RN}u`,
    SETUP: indent(setup, 2),
    K_STEP: indent(step, 4),
    K_TAIL: indent(tail, 4),
    EPILOGUE: indent(epilogue, 2),
  };
}

function indent(lines: readonly string[], spaces: number): string {
  const pad = ' '.repeat(spaces);
  return lines.map((l) => pad + l).join('\n');
}
