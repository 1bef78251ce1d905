import rowsSource from '../../shaders/conv2d_rows.wgsl';
import { foldWorkgroups, launch } from '../gpu/kernel.js';
import { runtime } from '../gpu/runtime.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderSection } from '../gpu/wgsl.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';
import { ACTIVATIONS, type Activation } from './activations.js';
import type { ConvGeometry } from './conv-kernel.js';

/**
 * The row-segment kernels of shaders/conv2d_rows.wgsl (CPU adapters; the file's header explains
 * them, `convConfig` in conv-kernel.ts says which runs where and why). Everything here is a
 * generator of straight-line WGSL: loops over taps, pixels and channels of a tile are unrolled so
 * that the accumulators stay in (SIMD) registers and every loaded value is reused from a register.
 */

/**
 * A row-segment tile. `sg`: lanes that share the broadcast operand through subgroupBroadcast (the
 * device's fixed subgroup size), or 1 (no subgroups: every invocation loads it itself, in
 * workgroups of `wg`). `tw`: output pixels per lane along a row. `ro`: output channels per
 * workgroup (forward, a multiple of 4) or per lane (wgrad_ic). wgrad_oc: `rl` output channels per
 * lane and `cb` input channels per workgroup.
 */
export interface RowsTile {
  sg: number;
  wg?: number;
  tw: number;
  ro: number;
  rl?: number;
  cb?: number;
  /** Forward: neighbouring lanes share input rows (default: when possible; false for comparisons and tests). */
  share?: boolean;
}

const COMP = ['x', 'y', 'z', 'w'] as const;

function indent(lines: readonly string[], spaces: number): string {
  const pad = ' '.repeat(spaces);
  return lines.map((l) => pad + l).join('\n');
}

function storageBindings(first: number, names: readonly [string, string][]): string {
  return names
    .map(([name, type], i) =>
      name === 'p' ? `@group(0) @binding(${first + i}) var<uniform> p: Params;` : `@group(0) @binding(${first + i}) var<storage, ${name === 'out' ? 'read_write' : 'read'}> ${name}: ${type};`,
    )
    .join('\n');
}

const workgroupSize = (t: RowsTile): number => (t.sg > 1 ? t.sg : t.wg ?? 8);
const laneBuiltin = (t: RowsTile): string => (t.sg > 1 ? ',\n        @builtin(subgroup_invocation_id) lane: u32' : '');
const enable = (t: RowsTile): string => (t.sg > 1 ? 'enable subgroups;\n' : '');

/** Checks a tile against the kernel's constraints and this device (throws naming what is wrong). */
export function validateRowsTile(kind: 'forward' | 'wgrad_ic' | 'wgrad_oc', t: RowsTile, g: { KH: number; KW: number }): void {
  const bad = (why: string): never => {
    throw new Error(`conv2d: ${kind} rows tile ${JSON.stringify(t)} is not usable: ${why}`);
  };
  for (const [k, v] of Object.entries(t)) if (k !== 'share' && v !== undefined && (!Number.isInteger(v) || v < 1)) bad(`${k} must be a positive integer`);
  if (t.sg > 1) {
    const rt = runtime();
    if (!rt.device.features.has('subgroups')) bad("this device has no 'subgroups' feature");
    const info = rt.adapterInfo as { subgroupMinSize?: number; subgroupMaxSize?: number };
    if (info.subgroupMinSize !== t.sg || info.subgroupMaxSize !== t.sg) bad(`sg must be this device's fixed subgroup size (${info.subgroupMinSize}..${info.subgroupMaxSize})`);
  }
  if (kind === 'forward' && t.ro % 4 !== 0) bad('ro must be a multiple of 4');
  if (t.tw > 16 || g.KH * g.KW > 49) bad('at most 16 pixels per lane and 49 taps are generated');
}

// ---------------------------------------------------------------------------------------------
// Forward (and stride-1 input gradient)
// ---------------------------------------------------------------------------------------------

export interface RowsForwardKey {
  tile: RowsTile;
  KH: number;
  KW: number;
  strideW: number;
  /** Neighbouring lanes hold neighbouring output rows and share input rows (needs subgroups and vertical stride 1). */
  shareRows: boolean;
  bias: boolean;
  act: Activation;
}

/** The WGSL of a forward row-segment kernel (exported for tests and for reading the generated code). */
export function rowsForwardWgsl(k: RowsForwardKey): string {
  const { tile, KH, KW, strideW: SW } = k;
  const { sg: SG, tw: TW, ro: RO } = tile;
  const SPAN = (TW - 1) * SW + KW;
  const O4 = RO / 4;
  const U = O4 * KH * KW; // vec4 units of one (block, input channel)
  // Shared rows (subgroups, vertical stride 1, KH > 1): lane l holds output row oh, lane l + d row
  // oh + d of the same image and segment when 0 ≤ l + d < SG and 0 ≤ oh + d < OH. Each lane loads
  // one input row (kh = c) and takes row kh ≠ c from lane l + kh - c with subgroupShuffle; the
  // lanes whose neighbour is missing (subgroup or image edge) load it themselves inside a branch,
  // which the other lanes skip.
  const share = k.shareRows && SG > 1 && KH > 1;
  const c = (KH - 1) >> 1;
  const setup: string[] = share
    ? ['let oh = tc % p.OH;', 'let col = tc / p.OH;', 'let seg = col % p.segs;', 'let n = col / p.segs;']
    : ['let seg = tc % p.segs;', 'let row = tc / p.segs;', 'let oh = row % p.OH;', 'let n = row / p.OH;'];
  setup.push(
    `let ow0 = seg * ${TW}u;`,
    'let ih0 = i32(oh * p.stride_h) - i32(p.pad_h);',
    `let iw0 = i32(ow0 * ${SW}u) - i32(p.pad_w);`,
    'let W_ = i32(p.W);',
    'let HW = i32(p.H * p.W);',
    // Flat index of x[n, ic, ih0, iw0] (negative or past a row where the window leaves the image:
    // those loads are masked).
    'var x_at = i32(n * p.C) * HW + ih0 * W_ + iw0;',
    `var w_at = ob * p.C * ${U}u;`,
  );
  for (let j = 0; j < SPAN; j++) setup.push(`let cv${j} = iw0 + ${j} >= 0 && iw0 + ${j} < W_;`);
  for (let kh = 0; kh < KH; kh++) setup.push(`let rv${kh} = ih0 + ${kh} >= 0 && ih0 + ${kh} < i32(p.H);`, `let ro${kh} = ${kh} * W_;`);
  if (share) {
    for (let kh = 0; kh < KH; kh++) {
      const d = kh - c;
      if (d === 0) continue;
      const nb = d < 0 ? `oh >= ${-d}u && lane >= ${-d}u` : `oh + ${d}u < p.OH && lane + ${d}u < ${SG}u`;
      setup.push(`let nb${kh} = ${nb};`, `let need${kh} = rv${kh} && !nb${kh};`, `let sl${kh} = u32(clamp(i32(lane) + ${d}, 0, ${SG - 1}));`);
    }
  }
  for (let px = 0; px < TW; px++) for (let o = 0; o < O4; o++) setup.push(`var acc${px}_${o} = vec4<f32>(0.0);`);

  const step: string[] = [];
  if (SG > 1) for (let s = 0; s < Math.ceil(U / SG); s++) step.push(`let wu${s} = wt[w_at + min(lane + ${s * SG}u, ${U - 1}u)];`);
  const weight = (u: number): string => (SG > 1 ? `subgroupBroadcast(wu${Math.floor(u / SG)}, ${u % SG}u)` : `wt[w_at + ${u}u]`);
  if (share) {
    for (let j = 0; j < SPAN; j++) step.push(`let own${j} = select(0.0, x[u32(x_at + ro${c} + ${j})], rv${c} && cv${j});`);
    for (let kh = 0; kh < KH; kh++) {
      if (kh === c) continue;
      for (let j = 0; j < SPAN; j++) step.push(`var dr${kh}_${j} = 0.0;`);
      step.push(`if (need${kh}) {`);
      for (let j = 0; j < SPAN; j++) step.push(`  dr${kh}_${j} = select(0.0, x[u32(x_at + ro${kh} + ${j})], cv${j});`);
      step.push('}');
    }
  }
  for (let kh = 0; kh < KH; kh++) {
    for (let j = 0; j < SPAN; j++) {
      if (!share) step.push(`let r${kh}_${j} = vec4<f32>(select(0.0, x[u32(x_at + ro${kh} + ${j})], rv${kh} && cv${j}));`);
      else if (kh === c) step.push(`let r${kh}_${j} = vec4<f32>(own${j});`);
      else step.push(`let r${kh}_${j} = vec4<f32>(select(dr${kh}_${j}, subgroupShuffle(own${j}, sl${kh}), nb${kh}));`);
    }
    for (let kw = 0; kw < KW; kw++) {
      for (let o = 0; o < O4; o++) {
        step.push(`let w${kh}_${kw}_${o} = ${weight((kh * KW + kw) * O4 + o)};`);
        for (let px = 0; px < TW; px++) step.push(`acc${px}_${o} = fma(r${kh}_${px * SW + kw}, w${kh}_${kw}_${o}, acc${px}_${o});`);
      }
    }
  }
  step.push('x_at += HW;', `w_at += ${U}u;`);

  const epilogue: string[] = ['let P = p.OH * p.OW;', 'let o_at = n * p.OC * P + oh * p.OW + ow0;'];
  for (let o = 0; o < O4; o++) {
    for (let c = 0; c < 4; c++) {
      const oc = `p.oc0 + ob * ${RO}u + ${4 * o + c}u`;
      epilogue.push(`if (${oc} < p.OC) {`);
      if (k.bias) epilogue.push(`  let b = bias[${oc}];`);
      for (let px = 0; px < TW; px++) {
        const v = `acc${px}_${o}.${COMP[c]}${k.bias ? ' + b' : ''}`;
        epilogue.push(`  if (ow0 + ${px}u < p.OW) { out[o_at + (${oc}) * P + ${px}u] = activation(${v}); }`);
      }
      epilogue.push('}');
    }
  }
  const bindings = storageBindings(2, [...(k.bias ? [['bias', 'array<f32>'] as [string, string]] : []), ['out', 'array<f32>'], ['p', '']]);
  return (
    enable(tile) +
    WGSL_COMMON +
    fillTemplate(shaderSection(rowsSource, 'forward'), {
      BINDINGS: bindings,
      ACT: ACTIVATIONS[k.act].expr,
      WG: workgroupSize(tile),
      LANE: laneBuiltin(tile),
      SETUP: indent(setup, 2),
      STEP: indent(step, 4),
      EPILOGUE: indent(epilogue, 2),
    })
  );
}

/**
 * Packs weights [OC, C, KH, KW] into the blocks the forward kernel reads: [ceil(OC/ro)][C][taps][ro]
 * (`flip` false), or for the input gradient [ceil(C/ro)][OC][taps][ro] of the flipped kernel; only
 * the `count` output channels from `first` (default: all).
 */
export function packWeights(w: Tensor, g: ConvGeometry, ro: number, flip: boolean, first = 0, count?: number): Tensor {
  const op = 'conv2d (pack weights)';
  const taps = g.KH * g.KW;
  const outer = count ?? (flip ? g.C : g.OC) - first;
  const inner = flip ? g.OC : g.C;
  const total = Math.ceil(outer / ro) * inner * taps * ro;
  const out = allocTensor([total], 'float32');
  if (total === 0) return out;
  launch(
    { name: op, key: 'conv-rows|pack', wgsl: () => WGSL_COMMON + shaderSection(rowsSource, 'pack') },
    {
      bindings: [w.binding(op), out.binding(op)],
      uniforms: new UniformWriter().u32(g.OC).u32(g.C).u32(taps).u32(ro).u32(flip ? 1 : 0).u32(total).u32(first),
      workgroups: Math.ceil(total / (taps * ro) / 64),
    },
  );
  return out;
}

/**
 * Runs the forward kernel on `x` [N, C, H, W] with packed weights for the convolution `g`
 * (OC output channels of OH × OW); output [N·OC·OH·OW] flat. `into`: write only the `count`
 * channels from `first` (packed for that range) into an existing output.
 */
export function rowsForward(op: string, x: Tensor, packed: Tensor, g: ConvGeometry, tile: RowsTile, bias: Tensor | null, act: Activation, into?: { out: Tensor; first: number; count: number }): Tensor {
  const size = g.N * g.OC * g.OH * g.OW;
  const out = into?.out ?? allocTensor([size], 'float32');
  if (size === 0) return out;
  const first = into?.first ?? 0;
  const count = into?.count ?? g.OC;
  const shareRows = tile.share !== false && tile.sg > 1 && g.strideH === 1 && g.KH > 1;
  const k: RowsForwardKey = { tile, KH: g.KH, KW: g.KW, strideW: g.strideW, shareRows, bias: !!bias, act };
  const key = `conv-rows|fwd|sg${tile.sg}|wg${workgroupSize(tile)}|tw${tile.tw}|ro${tile.ro}|k${g.KH}x${g.KW}|sw${g.strideW}|${shareRows ? 'share' : ''}|${bias ? 'bias' : ''}|${act}`;
  const segs = Math.ceil(g.OW / tile.tw);
  const tasks = g.N * g.OH * segs;
  const uniforms = new UniformWriter()
    .u32(g.N).u32(g.C).u32(g.H).u32(g.W).u32(g.OC).u32(g.OH).u32(g.OW)
    .u32(g.padH).u32(g.padW).u32(g.strideH).u32(segs).u32(tasks).u32(first);
  // Tasks are folded over x and z (y = channel blocks); the kernel recovers wid.x + wid.z · nwg.x.
  const [gx, gz] = foldWorkgroups(Math.ceil(tasks / workgroupSize(tile)), runtime().maxWorkgroupsPerDimension);
  launch(
    { name: op, key, wgsl: () => rowsForwardWgsl(k) },
    {
      bindings: [x.binding(op), packed.binding(op), ...(bias ? [bias.binding(op)] : []), out.binding(op)],
      uniforms,
      workgroups: [gx, Math.ceil(count / tile.ro), gz],
    },
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Weight gradient
// ---------------------------------------------------------------------------------------------

export interface RowsWgradKey {
  kind: 'wgrad_ic' | 'wgrad_oc';
  tile: RowsTile;
  KH: number;
  KW: number;
  strideW: number;
  /** Vertical stride 1: consecutive output rows share KH - 1 input rows (wgrad_ic keeps them). */
  rollRows: boolean;
}

/** The WGSL of a weight-gradient kernel (wgrad_ic or wgrad_oc). */
export function rowsWgradWgsl(k: RowsWgradKey): string {
  return k.kind === 'wgrad_ic' ? wgradIcWgsl(k) : wgradOcWgsl(k);
}

/**
 * The taps of a weight-gradient accumulator row: full vec4 groups of 4 taps, then the remaining
 * KH·KW mod 4 taps as scalars (a zero-padded vec4 would waste up to 3 of 4 FMAs: 9 taps → 12).
 */
function tapGroups(taps: number): { vec: number } {
  return { vec: Math.floor(taps / 4) };
}

/** vec4 group t4 (taps 4·t4 .. 4·t4+3) of the input values at pixel px. */
function tapVector(value: (kh: number, j: number) => string, KW: number, SW: number, px: number, t4: number): string {
  const comps = [0, 1, 2, 3].map((c) => {
    const t = 4 * t4 + c;
    return value(Math.floor(t / KW), px * SW + (t % KW));
  });
  return `vec4<f32>(${comps.join(', ')})`;
}

/** The input value of tap t at pixel px. */
function tapScalar(value: (kh: number, j: number) => string, KW: number, SW: number, px: number, t: number): string {
  return value(Math.floor(t / KW), px * SW + (t % KW));
}

/** The accumulator holding tap t of accumulator row `row`: `acc<row>_<t4>.<c>` or `accs<row>_<t>`. */
function tapAccumulator(row: string, t: number, taps: number): string {
  return t < 4 * tapGroups(taps).vec ? `acc${row}_${t >> 2}.${COMP[t & 3]}` : `accs${row}_${t}`;
}

function wgradIcWgsl(k: RowsWgradKey): string {
  const { tile, KH, KW, strideW: SW } = k;
  const { sg: SG, tw: TW, ro: RO } = tile;
  const SPAN = (TW - 1) * SW + KW;
  const taps = KH * KW;
  const T4 = tapGroups(taps).vec;
  const E = RO * TW; // dY values of one segment
  const setup: string[] = ['let W_ = i32(p.W);', 'let H_ = i32(p.H);'];
  if (SG > 1) {
    // Lane l loads dY values e = l, l + SG, … of the segment (e = channel · TW + pixel).
    for (let s = 0; s < Math.ceil(E / SG); s++) {
      setup.push(
        `let e${s} = min(lane + ${s * SG}u, ${E - 1}u);`,
        `let e_oc${s} = ob * ${RO}u + e${s} / ${TW}u;`,
        `let e_px${s} = e${s} % ${TW}u;`,
        `let e_at${s} = min(e_oc${s}, p.OC - 1u) * P + e_px${s};`,
        `let e_ok${s} = e_oc${s} < p.OC;`,
      );
    }
  } else {
    for (let o = 0; o < RO; o++) setup.push(`let d_at${o} = min(ob * ${RO}u + ${o}u, p.OC - 1u) * P;`, `let d_ok${o} = ob * ${RO}u + ${o}u < p.OC;`);
  }
  for (let o = 0; o < RO; o++) {
    for (let t4 = 0; t4 < T4; t4++) setup.push(`var acc${o}_${t4} = vec4<f32>(0.0);`);
    for (let t = 4 * T4; t < taps; t++) setup.push(`var accs${o}_${t} = 0.0;`);
  }

  // One flat loop over (image, segment, output row), rows fastest. With stride 1 (`roll`) the
  // KH - 1 input rows shared with the previous output row stay in registers (c<kh>_<j>).
  const roll = k.rollRows && KH > 1;
  const rowLoad = (name: string, kh: number, base = 'ih0'): string[] => {
    const lines = [`let ${name}_ih = ${base} + ${kh};`, `let ${name}_ok = ${name}_ih >= 0 && ${name}_ih < H_;`, `let ${name}_at = x_plane + ${name}_ih * W_ + iw0;`];
    for (let j = 0; j < SPAN; j++) lines.push(`let ${name}_${j} = select(0.0, x[u32(${name}_at + ${j})], ${name}_ok && cv${j});`);
    return lines;
  };
  const body: string[] = [];
  if (roll) for (let kh = 0; kh < KH - 1; kh++) for (let j = 0; j < SPAN; j++) body.push(`var c${kh}_${j} = 0.0;`);
  body.push(
    'var n = n0;',
    'var seg = 0u;',
    'var oh = 0u;',
    'for (var t = 0u; t < (n1 - n0) * p.segs * p.OH; t++) {',
    '  let x_plane = i32((n * p.C + ic) * HW);',
    '  let dy_image = n * p.OC * P;',
    `  let ow0 = seg * ${TW}u;`,
    `  let iw0 = i32(ow0 * ${SW}u) - i32(p.pad_w);`,
    '  let ih0 = i32(oh * p.stride_h) - i32(p.pad_h);',
  );
  for (let j = 0; j < SPAN; j++) body.push(`  let cv${j} = iw0 + ${j} >= 0 && iw0 + ${j} < W_;`);
  if (roll) {
    // A new column (image, segment): load the first KH - 1 rows.
    body.push('  if (oh == 0u) {');
    for (let kh = 0; kh < KH - 1; kh++) {
      body.push(...rowLoad(`q${kh}`, kh).map((l) => `    ${l}`));
      for (let j = 0; j < SPAN; j++) body.push(`    c${kh}_${j} = q${kh}_${j};`);
    }
    body.push('  }');
  }
  const step: string[] = ['let dy_at = dy_image + oh * p.OW + ow0;'];
  if (SG > 1) for (let s = 0; s < Math.ceil(E / SG); s++) step.push(`let g${s} = select(0.0, dy[dy_at + e_at${s}], e_ok${s} && ow0 + e_px${s} < p.OW);`);
  if (roll) {
    step.push(...rowLoad(`r${KH - 1}`, KH - 1));
    for (let kh = 0; kh < KH - 1; kh++) for (let j = 0; j < SPAN; j++) step.push(`let r${kh}_${j} = c${kh}_${j};`);
  } else {
    for (let kh = 0; kh < KH; kh++) step.push(...rowLoad(`r${kh}`, kh));
  }
  const row = (kh: number, j: number): string => `r${kh}_${j}`;
  for (let px = 0; px < TW; px++) {
    for (let t4 = 0; t4 < T4; t4++) step.push(`let xv${px}_${t4} = ${tapVector(row, KW, SW, px, t4)};`);
  }
  for (let o = 0; o < RO; o++) {
    for (let px = 0; px < TW; px++) {
      const e = o * TW + px;
      const d = SG > 1 ? `subgroupBroadcast(g${Math.floor(e / SG)}, ${e % SG}u)` : `select(0.0, dy[dy_at + d_at${o} + ${px}u], d_ok${o} && ow0 + ${px}u < p.OW)`;
      step.push(`let d${o}_${px} = ${d};`);
      for (let t4 = 0; t4 < T4; t4++) step.push(`acc${o}_${t4} = fma(vec4<f32>(d${o}_${px}), xv${px}_${t4}, acc${o}_${t4});`);
      for (let t = 4 * T4; t < taps; t++) step.push(`accs${o}_${t} = fma(d${o}_${px}, ${tapScalar(row, KW, SW, px, t)}, accs${o}_${t});`);
    }
  }
  if (roll) for (let kh = 0; kh < KH - 1; kh++) for (let j = 0; j < SPAN; j++) step.push(`c${kh}_${j} = r${kh + 1}_${j};`);
  body.push(
    ...step.map((l) => `  ${l}`),
    '  oh++;',
    '  if (oh == p.OH) {',
    '    oh = 0u;',
    '    seg++;',
    '    if (seg == p.segs) {',
    '      seg = 0u;',
    '      n++;',
    '    }',
    '  }',
    '}',
  );

  const epilogue: string[] = [`let K = p.C * ${taps}u;`, `let o_at = wid.z * p.OC * K + ic * ${taps}u;`];
  for (let o = 0; o < RO; o++) {
    const oc = `ob * ${RO}u + ${o}u`;
    epilogue.push(`if (${oc} < p.OC) {`);
    for (let t = 0; t < taps; t++) epilogue.push(`  out[o_at + (${oc}) * K + ${t}u] = ${tapAccumulator(String(o), t, taps)};`);
    epilogue.push('}');
  }
  return (
    enable(tile) +
    WGSL_COMMON +
    fillTemplate(shaderSection(rowsSource, 'wgrad_ic'), {
      BINDINGS: storageBindings(2, [['out', 'array<f32>'], ['p', '']]),
      WG: workgroupSize(tile),
      LANE: laneBuiltin(tile),
      SETUP: indent(setup, 2),
      BODY: indent(body, 2),
      EPILOGUE: indent(epilogue, 2),
    })
  );
}

function wgradOcWgsl(k: RowsWgradKey): string {
  const { tile, KH, KW, strideW: SW } = k;
  const SG = tile.sg;
  const TW = tile.tw;
  const RL = tile.rl ?? 2;
  const CB = tile.cb ?? 1;
  const SPAN = (TW - 1) * SW + KW;
  const taps = KH * KW;
  const T4 = tapGroups(taps).vec;
  const E = CB * KH * SPAN; // input values of one segment (CB channels × KH rows × SPAN)
  const setup: string[] = [
    'let W_ = i32(p.W);',
    'let H_ = i32(p.H);',
    `let cb0 = wid.x * ${CB}u;`,
    SG > 1 ? `let oc0 = (wid.y * ${SG}u + lane) * ${RL}u;` : `let oc0 = (wid.y * ${workgroupSize(tile)}u + lid) * ${RL}u;`,
  ];
  // With subgroups lane l loads input values e = l, l + SG, … and the subgroup shares them;
  // without (SG = 1) every invocation loads all E itself.
  for (let s = 0; s < Math.ceil(E / SG); s++) {
    setup.push(
      `let e${s} = min(${SG > 1 ? 'lane + ' : ''}${s * SG}u, ${E - 1}u);`,
      `let e_c${s} = e${s} / ${KH * SPAN}u;`,
      `let e_kh${s} = i32((e${s} / ${SPAN}u) % ${KH}u);`,
      `let e_j${s} = i32(e${s} % ${SPAN}u);`,
      `let e_ok${s} = cb0 + e_c${s} < p.C;`,
      `let e_at${s} = i32(min(cb0 + e_c${s}, p.C - 1u) * HW) + e_kh${s} * W_ + e_j${s};`,
    );
  }
  for (let r = 0; r < RL; r++) setup.push(`let d_at${r} = min(oc0 + ${r}u, p.OC - 1u) * P;`, `let d_ok${r} = oc0 + ${r}u < p.OC;`);
  for (let r = 0; r < RL; r++) {
    for (let c = 0; c < CB; c++) {
      for (let t4 = 0; t4 < T4; t4++) setup.push(`var acc${r}_${c}_${t4} = vec4<f32>(0.0);`);
      for (let t = 4 * T4; t < taps; t++) setup.push(`var accs${r}_${c}_${t} = 0.0;`);
    }
  }

  const step: string[] = [
    `let ow0 = seg * ${TW}u;`,
    `let iw0 = i32(ow0 * ${SW}u) - i32(p.pad_w);`,
    'let dy_at = dy_image + oh * p.OW + ow0;',
    'let x_at = x_image + ih0 * W_ + iw0;',
  ];
  for (let s = 0; s < Math.ceil(E / SG); s++) {
    step.push(
      `let eh${s} = ih0 + e_kh${s};`,
      `let ew${s} = iw0 + e_j${s};`,
      `let g${s} = select(0.0, x[u32(x_at + e_at${s})], e_ok${s} && eh${s} >= 0 && eh${s} < H_ && ew${s} >= 0 && ew${s} < W_);`,
    );
  }
  for (let r = 0; r < RL; r++) {
    for (let px = 0; px < TW; px++) step.push(`let d${r}_${px} = select(0.0, dy[dy_at + d_at${r} + ${px}u], d_ok${r} && ow0 + ${px}u < p.OW);`);
  }
  const xe = (c: number) => (kh: number, j: number): string => {
    const e = (c * KH + kh) * SPAN + j;
    return SG > 1 ? `subgroupBroadcast(g${Math.floor(e / SG)}, ${e % SG}u)` : `g${e}`;
  };
  for (let c = 0; c < CB; c++) {
    for (let px = 0; px < TW; px++) {
      for (let t4 = 0; t4 < T4; t4++) {
        step.push(`let xv${c}_${px}_${t4} = ${tapVector(xe(c), KW, SW, px, t4)};`);
        for (let r = 0; r < RL; r++) step.push(`acc${r}_${c}_${t4} = fma(vec4<f32>(d${r}_${px}), xv${c}_${px}_${t4}, acc${r}_${c}_${t4});`);
      }
      for (let t = 4 * T4; t < taps; t++) {
        step.push(`let xs${c}_${px}_${t} = ${tapScalar(xe(c), KW, SW, px, t)};`);
        for (let r = 0; r < RL; r++) step.push(`accs${r}_${c}_${t} = fma(d${r}_${px}, xs${c}_${px}_${t}, accs${r}_${c}_${t});`);
      }
    }
  }

  const epilogue: string[] = [`let K = p.C * ${taps}u;`];
  for (let r = 0; r < RL; r++) {
    epilogue.push(`if (d_ok${r}) {`);
    for (let c = 0; c < CB; c++) {
      epilogue.push(`  if (cb0 + ${c}u < p.C) {`);
      for (let t = 0; t < taps; t++) epilogue.push(`    out[(wid.z * p.OC + oc0 + ${r}u) * K + (cb0 + ${c}u) * ${taps}u + ${t}u] = ${tapAccumulator(`${r}_${c}`, t, taps)};`);
      epilogue.push('  }');
    }
    epilogue.push('}');
  }
  return (
    enable(tile) +
    WGSL_COMMON +
    fillTemplate(shaderSection(rowsSource, 'wgrad_oc'), {
      BINDINGS: storageBindings(2, [['out', 'array<f32>'], ['p', '']]),
      WG: workgroupSize(tile),
      LANE: laneBuiltin(tile),
      SETUP: indent(setup, 2),
      STEP: indent(step, 4),
      EPILOGUE: indent(epilogue, 2),
    })
  );
}

/**
 * Weight gradient partial sums [chunks, OC, C·KH·KW] of dy [N, OC, OH, OW] and x [N, C, H, W];
 * the reduction over images is split into `chunks` (see `wgradChunks`).
 */
export function rowsWgrad(op: string, dy: Tensor, x: Tensor, g: ConvGeometry, kind: 'wgrad_ic' | 'wgrad_oc', tile: RowsTile): { partials: Tensor; splits: number } {
  const taps = g.KH * g.KW;
  const wg = workgroupSize(tile);
  const gx = kind === 'wgrad_ic' ? Math.ceil(g.C / wg) : Math.ceil(g.C / (tile.cb ?? 1));
  const gy = kind === 'wgrad_ic' ? Math.ceil(g.OC / tile.ro) : Math.ceil(g.OC / (wg * (tile.rl ?? 2)));
  const chunks = wgradChunks(g.N, gx * gy);
  const imgs = Math.ceil(g.N / chunks);
  const used = Math.max(1, Math.ceil(g.N / imgs));
  const partials = allocTensor([used * g.OC * g.C * taps], 'float32');
  if (partials.size === 0) return { partials, splits: used };
  const rollRows = kind === 'wgrad_ic' && g.strideH === 1;
  const k: RowsWgradKey = { kind, tile, KH: g.KH, KW: g.KW, strideW: g.strideW, rollRows };
  const extra = kind === 'wgrad_oc' ? `|rl${tile.rl ?? 2}|cb${tile.cb ?? 1}` : `|ro${tile.ro}${rollRows ? '|roll' : ''}`;
  const key = `conv-rows|${kind}|sg${tile.sg}|wg${wg}|tw${tile.tw}${extra}|k${g.KH}x${g.KW}|sw${g.strideW}`;
  const segs = Math.ceil(g.OW / tile.tw);
  const uniforms = new UniformWriter()
    .u32(g.N).u32(g.C).u32(g.H).u32(g.W).u32(g.OC).u32(g.OH).u32(g.OW)
    .u32(g.padH).u32(g.padW).u32(g.strideH).u32(segs).u32(imgs);
  launch({ name: op, key, wgsl: () => rowsWgradWgsl(k) }, { bindings: [x.binding(op), dy.binding(op), partials.binding(op)], uniforms, workgroups: [gx, gy, used] });
  return { partials, splits: used };
}

/**
 * Chunks of the split reduction over images: enough workgroups to keep every core busy with a
 * few to spare (the 2-core CI machine runs llvmpipe with one thread per core), few enough that the
 * partial sums stay small.
 */
export function wgradChunks(images: number, tiles: number): number {
  return Math.max(1, Math.min(images, Math.ceil(32 / Math.max(1, tiles))));
}
