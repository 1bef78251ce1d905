/**
 * Vitest glue (Node): builds the GPU suite, lists its tests in Node, runs it once in Chromium or
 * Deno, and registers one vitest test per verdict, so a failure there is a named failing test here.
 * Call it with top-level await from a test file; the run happens during collection, which is what
 * lets the test names carry the adapter.
 */
import { it } from 'vitest';
import { buildSuite, GPU_SUITE, type BuiltSuite, type SuiteSpec } from './build-suite.js';
import { describeError } from './protocol.js';
import { runInChromium } from './run-chromium.js';
import { runInDeno } from './run-deno.js';
import { runInNode } from './run-node.js';
import { describeAdapter, newRun, type RuntimeRun } from './run-record.js';
import { runtimeVerdicts, type ExpectedTests, type Verdict } from './verdicts.js';

export type Runtime = 'chromium' | 'deno';

export async function listInNode(suite: BuiltSuite): Promise<ExpectedTests> {
  const listing = await runInNode(suite, 'list', { echo: false });
  if (listing.collected) return { tests: listing.collected };
  return { error: listing.launchError ?? listing.fatal ?? 'no tests collected' };
}

export async function runtimeVerdictsFor(runtime: Runtime, spec: SuiteSpec): Promise<{ verdicts: Verdict[]; run: RuntimeRun; summary: string }> {
  let suite: BuiltSuite;
  try {
    suite = await buildSuite(spec);
  } catch (err) {
    const run = newRun(runtime);
    run.launchError = describeError(err);
    return { verdicts: runtimeVerdicts(run, { error: run.launchError }), run, summary: `${runtime}: the suite did not build` };
  }
  const [expected, run] = await Promise.all([listInNode(suite), runtime === 'chromium' ? runInChromium(suite) : runInDeno(suite)]);
  const verdicts = runtimeVerdicts(run, expected);
  const failed = verdicts.filter((v) => v.error).length;
  const summary =
    `${runtime}: ${run.results.length} tests from ${suite.files.length} files in ${(run.wallMs / 1000).toFixed(1)} s ` +
    `(build ${Math.round(suite.buildMs)} ms), adapter ${describeAdapter(run.adapter)}; ${failed ? `${failed} verdicts failed` : 'all verdicts passed'}`;
  return { verdicts, run, summary };
}

/** Registers the verdicts of running the GPU suite (test/gpu) in `runtime` as vitest tests. */
export async function defineRuntimeSuite(runtime: Runtime): Promise<void> {
  const { verdicts, summary } = await runtimeVerdictsFor(runtime, { ...GPU_SUITE, name: `gpu-${runtime}` });
  console.log(summary);
  for (const verdict of verdicts) {
    it(verdict.name, () => {
      if (verdict.error) throw verdict.error;
    });
  }
}
