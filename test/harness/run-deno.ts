/**
 * Node side: runs a built suite in Deno (the `deno` npm package's binary), with no permissions at
 * all: the bundle reads nothing, writes nothing and reaches no network; `navigator.gpu` needs none.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type BuiltSuite } from './build-suite.js';
import { runChild } from './run-child.js';
import { newRun, type RuntimeRun } from './run-record.js';
import { childEnv, RUN_OPTIONS, suiteDeadlineMs } from './runtime-env.js';
import { createStackMapper } from './stack-map.js';

export const DENO_BINARY = join(REPO_ROOT, 'node_modules/.bin/deno');

export async function runInDeno(suite: BuiltSuite, options: { echo?: boolean } = {}): Promise<RuntimeRun> {
  if (!existsSync(DENO_BINARY)) {
    const run = newRun('deno');
    run.launchError = `Deno is not installed at ${DENO_BINARY}: run \`npm ci\` (the \`deno\` devDependency ships the binary)`;
    return run;
  }
  return runChild({
    runtime: 'deno',
    command: DENO_BINARY,
    args: [
      'run',
      '--no-prompt', // a permission the bundle lacks fails instead of waiting for an answer
      '--no-config',
      '--no-lock',
      '--no-npm',
      '--no-remote',
      suite.entry.deno,
      `--test-timeout=${RUN_OPTIONS.testTimeoutMs}`,
      `--hook-timeout=${RUN_OPTIONS.hookTimeoutMs}`,
    ],
    cwd: suite.outDir,
    env: childEnv(),
    deadlineMs: suiteDeadlineMs(),
    mapStack: createStackMapper(suite.outDir),
    echo: options.echo ?? true,
  });
}
