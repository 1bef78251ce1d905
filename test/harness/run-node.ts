/**
 * Node side: runs a built suite's Node entry in a child process: `list` collects the registered
 * tests without running them (the set the Chromium and Deno runs must execute); `run` runs them.
 */
import type { BuiltSuite } from './build-suite.js';
import { runChild } from './run-child.js';
import type { RuntimeRun } from './run-record.js';
import { childEnv, RUN_OPTIONS, suiteDeadlineMs } from './runtime-env.js';
import { createStackMapper } from './stack-map.js';

export function runInNode(suite: BuiltSuite, mode: 'list' | 'run', options: { echo?: boolean } = {}): Promise<RuntimeRun> {
  const args = mode === 'list' ? ['--list'] : [`--test-timeout=${RUN_OPTIONS.testTimeoutMs}`, `--hook-timeout=${RUN_OPTIONS.hookTimeoutMs}`];
  return runChild({
    runtime: mode === 'list' ? 'node (listing)' : 'node',
    command: process.execPath,
    args: [suite.entry.node, ...args],
    cwd: suite.outDir,
    env: childEnv(),
    deadlineMs: mode === 'list' ? 120_000 : suiteDeadlineMs(),
    mapStack: createStackMapper(suite.outDir),
    echo: options.echo ?? true,
    untilCollected: mode === 'list',
  });
}
