import { runtime, type Runtime } from './runtime.js';

/**
 * The adapter families kernels are tuned for. CPU implementations (Mesa lavapipe/llvmpipe,
 * SwiftShader) run a workgroup's invocations as SIMD lanes on one core and load from storage
 * buffers lane by lane, so they want register-blocked kernels that share loads across a subgroup,
 * not workgroup-memory tiling (measured in src/ops/matmul-kernel.ts).
 */
export type AdapterKind = 'lavapipe' | 'swiftshader' | 'cpu' | 'gpu';

interface AdapterLike {
  vendor: string;
  architecture: string;
  description: string;
}

/**
 * Node (Dawn) reports lavapipe as vendor 'mesa', architecture 'software', description 'llvmpipe: …';
 * Deno (wgpu) as vendor '65541' (VK_VENDOR_ID_MESA) and description 'llvmpipe (LLVM …)';
 * Chromium's SwiftShader as vendor 'google', architecture 'swiftshader'.
 */
export function adapterKind(info: AdapterLike): AdapterKind {
  const text = `${info.vendor} ${info.architecture} ${info.description}`.toLowerCase();
  if (/llvmpipe|lavapipe/.test(text)) return 'lavapipe';
  if (/swiftshader/.test(text)) return 'swiftshader';
  if (info.architecture.toLowerCase() === 'software' || /\bcpu\b|warp|software/.test(text)) return 'cpu';
  return 'gpu';
}

/** Whether the current adapter is a CPU implementation. */
export function isCpuAdapter(): boolean {
  return adapterKind(runtime().adapterInfo) !== 'gpu';
}

/** The device's subgroup size when subgroups are enabled on it and the size is fixed, else 0. */
export function fixedSubgroupSize(rt: Runtime): number {
  if (!rt.device.features.has('subgroups')) return 0;
  const info = rt.adapterInfo as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const min = info.subgroupMinSize ?? 0;
  const max = info.subgroupMaxSize ?? 0;
  return min > 0 && min === max ? min : 0;
}
