import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/** WGSL files are plain text modules, as with esbuild's `text` loader. */
const wgslText = {
  name: 'wgsl-text',
  transform(code: string, id: string) {
    if (id.endsWith('.wgsl')) return { code: `export default ${JSON.stringify(code)};`, map: null };
    return null;
  },
};

export default defineConfig({
  plugins: [wgslText],
  resolve: { alias: { perturbset: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    // dawn.node keeps a process alive until its GPU object is released: isolate files in forks.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
