// WGSL kernels are imported as text (esbuild `text` loader; a vite transform in vitest).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
