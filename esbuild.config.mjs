// Builds dist/perturbset.js (one ESM bundle for browsers, Node and Deno) and dist/perturbset.d.ts.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Options shared by the library bundle and the test/benchmark bundles. */
export const commonOptions = {
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  mainFields: ['module', 'main'],
  loader: { '.wgsl': 'text' },
  // `webgpu` is the optional Node binding; `node:*` modules are imported lazily, only in Node/Deno.
  external: ['webgpu', 'node:*'],
  logLevel: 'warning',
};

async function main() {
  mkdirSync('dist', { recursive: true });
  await esbuild.build({
    ...commonOptions,
    entryPoints: ['src/index.ts'],
    outfile: 'dist/perturbset.js',
    sourcemap: 'linked',
    legalComments: 'none',
  });
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  writeFileSync('dist/perturbset.d.ts', "export * from './types/index.js';\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
