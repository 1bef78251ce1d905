import matmulSource from '../../shaders/matmul.wgsl';
import { foldWorkgroups, launch } from '../gpu/kernel.js';
import { runtime } from '../gpu/runtime.js';
import { UniformWriter } from '../gpu/uniforms.js';
import { WGSL_COMMON, fillTemplate, shaderBody } from '../gpu/wgsl.js';
import { allocTensor, type Tensor } from '../tensor/tensor.js';

export type Activation = 'none' | 'relu' | 'sigmoid' | 'tanh';

export const ACTIVATIONS: Record<Activation, { expr: string; /** gradient factor in terms of the output y */ grad: string }> = {
  none: { expr: 'v', grad: 'dy' },
  relu: { expr: 'select(v, 0.0, v < 0.0)', grad: 'select(0.0, dy, y > 0.0)' },
  sigmoid: { expr: 'sigmoid_f32(v)', grad: 'dy * y * (1.0 - y)' },
  tanh: { expr: 'tanh_f32(v)', grad: 'dy * (1.0 - y * y)' },
};

/** Tile shape of the matmul kernel (see shaders/matmul.wgsl). */
export interface MatmulTile {
  wgX: number;
  wgY: number;
  rm: number;
  tileK: number;
}

export const DEFAULT_TILE: MatmulTile = { wgX: 8, wgY: 8, rm: 4, tileK: 16 };

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
  tile?: MatmulTile;
}

/** Runs the batched matmul kernel; the output is [batch, M, N] (flat). */
export function matmulKernel(call: MatmulCall): Tensor {
  const { op, a, b, transA, transB, M, N, K, batch } = call;
  const tile = call.tile ?? DEFAULT_TILE;
  const act = call.activation ?? 'none';
  const bias = call.bias ?? null;
  const out = allocTensor([batch, M, N], 'float32');
  if (batch * M * N === 0) return out;
  const key = `matmul|${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}|${bias ? 'bias' : ''}|${act}|${tile.wgX}x${tile.wgY}x${tile.rm}x${tile.tileK}`;
  const wgsl = (): string => {
    const bindings = bias
      ? ['@group(0) @binding(2) var<storage, read> bias: array<f32>;', '@group(0) @binding(3) var<storage, read_write> out: array<f32>;', '@group(0) @binding(4) var<uniform> p: Params;']
      : ['@group(0) @binding(2) var<storage, read_write> out: array<f32>;', '@group(0) @binding(3) var<uniform> p: Params;'];
    return (
      WGSL_COMMON +
      fillTemplate(shaderBody(matmulSource), {
        WG_X: tile.wgX,
        WG_Y: tile.wgY,
        RM: tile.rm,
        TILE_K: tile.tileK,
        A_INDEX: transA ? 'k * p.M + m' : 'm * p.K + k',
        B_INDEX: transB ? 'n * p.K + k' : 'k * p.N + n',
        BINDINGS: bindings.join('\n'),
        BIAS: bias ? 'v += bias[n];' : '',
        ACT: ACTIVATIONS[act].expr,
      })
    );
  };
  // K = 0 gives zeros (+ bias): the loop body never runs.
  const tileM = tile.wgY * tile.rm;
  const tileN = tile.wgX * 4;
  const rowTiles = Math.ceil(M / tileM);
  const uniforms = new UniformWriter().u32(M).u32(N).u32(K).u32(call.batchStrideA).u32(call.batchStrideB).u32(rowTiles).u32(batch);
  const [pairsY, pairsZ] = foldWorkgroups(rowTiles * batch, runtime().maxWorkgroupsPerDimension);
  launch(
    { name: op, key, wgsl },
    {
      bindings: [a.binding(op), b.binding(op), ...(bias ? [bias.binding(op)] : []), out.binding(op)],
      uniforms,
      workgroups: [Math.ceil(N / tileN), pairsY, pairsZ],
    },
  );
  return out;
}
