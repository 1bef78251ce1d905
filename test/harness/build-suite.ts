/**
 * Bundles a directory of vitest test files for Chromium, Deno and a Node child process: `vitest`
 * resolves to mini-vitest, `perturbset` to src/index.ts, `.wgsl` files are text, JSON is inlined.
 * With code splitting each test file is its own chunk, imported after a call that names it, so
 * results read `file > describe > test` and a file that fails to load fails alone.
 *
 * Output (in `outDir`): browser.js, deno.js, node.js (entries), chunk-*.js, *.map, index.html.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HARNESS = join(REPO_ROOT, 'test/harness');

export type SuiteRuntime = 'browser' | 'deno' | 'node';

export interface SuiteSpec {
  /** Directory (relative to the repository root) searched recursively for test files. */
  dir: string;
  /** File name ending that marks a test file. */
  suffix: string;
  /** Output directory name under node_modules/.cache/perturbset-suite/. */
  name: string;
}

export const GPU_SUITE: Omit<SuiteSpec, 'name'> = { dir: 'test/gpu', suffix: '.test.ts' };

export interface BuiltSuite {
  outDir: string;
  /** Test files, relative to the repository root, in run order. */
  files: string[];
  entry: Record<SuiteRuntime, string>;
  buildMs: number;
}

export function findTestFiles(dir: string, suffix: string): string[] {
  const abs = join(REPO_ROOT, dir);
  return (readdirSync(abs, { recursive: true }) as string[])
    .filter((f) => f.endsWith(suffix))
    .map((f) => relative(REPO_ROOT, join(abs, f)).split(sep).join('/'))
    .sort();
}

function entrySource(runtime: SuiteRuntime, files: string[]): string {
  const main = JSON.stringify(join(HARNESS, `main-${runtime}.ts`));
  const list = files
    .map((f) => `  { file: ${JSON.stringify(f)}, load: () => import(${JSON.stringify(join(REPO_ROOT, f))}) },`)
    .join('\n');
  return `import { start } from ${main};\nawait start([\n${list}\n]);\n`;
}

/** `vitest` → mini-vitest, `perturbset` → src/index.ts; other vitest entry points are refused. */
function suitePlugin(files: string[]): esbuild.Plugin {
  return {
    name: 'perturbset-suite',
    setup(build) {
      build.onResolve({ filter: /^suite-entry:/ }, (args) => ({ path: args.path.slice('suite-entry:'.length), namespace: 'suite-entry' }));
      build.onLoad({ filter: /.*/, namespace: 'suite-entry' }, (args) => ({
        contents: entrySource(args.path as SuiteRuntime, files),
        loader: 'ts',
        resolveDir: REPO_ROOT,
      }));
      build.onResolve({ filter: /^vitest(\/.*)?$/ }, (args) => {
        if (args.path !== 'vitest') {
          return { errors: [{ text: `mini-vitest: import from "${args.path}" is not supported in the GPU suite (only "vitest")` }] };
        }
        return { path: join(HARNESS, 'mini-vitest.ts') };
      });
      build.onResolve({ filter: /^perturbset$/ }, () => ({ path: join(REPO_ROOT, 'src/index.ts') }));
    },
  };
}

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>perturbset GPU suite</title>
<link rel="icon" href="data:,">
<script type="module" src="./browser.js"></script>
`;

/** Builds the suite into a fresh node_modules/.cache/perturbset-suite/<name>/. */
export async function buildSuite(spec: SuiteSpec): Promise<BuiltSuite> {
  const started = performance.now();
  const files = findTestFiles(spec.dir, spec.suffix);
  if (files.length === 0) throw new Error(`no test files matching ${spec.dir}/**/*${spec.suffix}`);
  const outDir = join(REPO_ROOT, 'node_modules/.cache/perturbset-suite', spec.name);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const configUrl = pathToFileURL(join(REPO_ROOT, 'esbuild.config.mjs')).href;
  const { commonOptions } = (await import(/* @vite-ignore */ configUrl)) as { commonOptions: esbuild.BuildOptions };
  try {
    await esbuild.build({
      ...commonOptions,
      absWorkingDir: REPO_ROOT,
      entryPoints: { browser: 'suite-entry:browser', deno: 'suite-entry:deno', node: 'suite-entry:node' },
      outdir: outDir,
      splitting: true,
      chunkNames: '[name]-[hash]',
      sourcemap: 'linked',
      loader: { ...commonOptions.loader, '.json': 'json' },
      plugins: [suitePlugin(files)],
      logLevel: 'silent',
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    const messages = failure.errors?.length
      ? (await esbuild.formatMessages(failure.errors, { kind: 'error', color: false })).join('\n')
      : String(err);
    throw new Error(`building the GPU suite bundle failed:\n${messages}`);
  }
  writeFileSync(join(outDir, 'index.html'), PAGE);
  return {
    outDir,
    files,
    entry: { browser: join(outDir, 'browser.js'), deno: join(outDir, 'deno.js'), node: join(outDir, 'node.js') },
    buildMs: performance.now() - started,
  };
}
