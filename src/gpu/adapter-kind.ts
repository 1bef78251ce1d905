import { runtime } from './runtime.js';

/**
 * Whether the adapter is a CPU implementation (Mesa lavapipe/llvmpipe, SwiftShader). They run a
 * workgroup's invocations as SIMD lanes on one core, so workgroup memory and barriers cost more
 * than they save and register-blocked kernels without them win (measured here, see DESIGN.md).
 */
export function isCpuAdapter(): boolean {
  const { vendor, architecture, description } = runtime().adapterInfo;
  return /llvmpipe|lavapipe|swiftshader|software/i.test(`${vendor} ${architecture} ${description}`);
}
