// Self-test of the cross-runtime harness: a small fixture suite (test/harness/fixtures/self) with
// deliberate failures runs in a Node child process, Deno and Chromium; every failure must come back
// as a failure with its message and a stack pointing at the fixture source, and the verdicts the
// runtime test files register must fail for them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll } from 'vitest';
import { buildSuite, REPO_ROOT, type BuiltSuite } from '../harness/build-suite.js';
import { listInNode } from '../harness/define-runtime-suite.js';
import { runInChromium } from '../harness/run-chromium.js';
import { runInDeno } from '../harness/run-deno.js';
import { runInNode } from '../harness/run-node.js';
import { newRun, type RuntimeRun } from '../harness/run-record.js';
import { runtimeVerdicts, type ExpectedTests } from '../harness/verdicts.js';

const FIXTURES = 'test/harness/fixtures/self';

const A = `${FIXTURES}/a-pass.fixture.ts`;
const B = `${FIXTURES}/b-fail.fixture.ts`;
const C = `${FIXTURES}/c-skip.fixture.ts`;
const D = `${FIXTURES}/d-describe-error.fixture.ts`;

/** Every test the fixture suite registers, in order, with the status it must get in every runtime. */
const EXPECTED: [file: string, name: string, status: 'pass' | 'fail', errorContains?: string][] = [
  [A, 'outer > first', 'pass'],
  [A, 'outer > inner > second', 'pass'],
  [A, 'ran hooks in vitest order', 'pass'],
  [A, 'imports JSON, WGSL text and perturbset', 'pass'],
  [A, 'accepts a timeout argument', 'pass'],
  [B, 'failures > deliberately fails an assertion', 'fail', 'expected 2 to be 3'],
  [B, 'failures > uses a matcher mini-vitest does not implement', 'fail', 'mini-vitest: unsupported matcher toMatchObject'],
  [B, 'failures > times out', 'fail', 'Test timed out in 50ms'],
  [B, 'failures > leaves a failing .rejects assertion unawaited', 'fail', 'promise resolved 1 instead of rejecting'],
  [B, 'failures > passes after the failures', 'pass'],
  [B, 'broken beforeAll > is failed by its beforeAll', 'fail', 'setup exploded'],
  [B, 'leaves an unhandled rejection behind', 'pass'],
  [C, 'runs', 'fail', 'it.skip'],
  [D, 'factory throws > was registered before the throw', 'fail', 'factory exploded'],
  [D, 'still runs', 'pass'],
];

/** Where the deliberately failing assertion is in the fixture source (1-based line). */
function failingAssertionLine(): number {
  const lines = readFileSync(join(REPO_ROOT, B), 'utf8').split('\n');
  return lines.findIndex((line) => line.includes('SELF-TEST: failing assertion')) + 1;
}

let suite: BuiltSuite;
let expected: ExpectedTests;
const runs: Record<'node' | 'deno' | 'chromium', RuntimeRun> = {} as Record<'node' | 'deno' | 'chromium', RuntimeRun>;

beforeAll(async () => {
  suite = await buildSuite({ dir: FIXTURES, suffix: '.fixture.ts', name: 'harness-self' });
  [expected, runs.node, runs.deno, runs.chromium] = await Promise.all([
    listInNode(suite),
    runInNode(suite, 'run', { echo: false }),
    runInDeno(suite, { echo: false }),
    runInChromium(suite, { echo: false }),
  ]);
});

describe('listing the fixture suite in Node', () => {
  it('finds every registered test in order, including those of files that fail to load', () => {
    expect(expected.error).toBeUndefined();
    expect(expected.tests?.map((t) => [t.id, t.file, t.name])).toEqual(EXPECTED.map(([file, name], id) => [id, file, name]));
  });
});

for (const runtime of ['node', 'deno', 'chromium'] as const) {
  describe(`the fixture suite in ${runtime}`, () => {
    it('starts, runs to the end and reports every test', () => {
      const run = runs[runtime];
      expect(run.launchError).toBeUndefined();
      expect(run.fatal).toBeUndefined();
      expect(run.ended).toBe(true);
      expect(run.adapter).toBeDefined();
      expect(run.results.map((r) => [r.id, r.file, r.name])).toEqual(EXPECTED.map(([file, name], id) => [id, file, name]));
    });

    it('reports each test with the status and message it must have', () => {
      for (const [index, [, name, status, errorContains]] of EXPECTED.entries()) {
        const result = runs[runtime].results[index]!;
        expect(`${name}: ${result.status}`).toBe(`${name}: ${status}`);
        if (errorContains) expect(result.error).toContain(errorContains);
        else expect(result.error).toBeUndefined();
      }
    });

    it('maps the failing assertion back to its line in the fixture source', () => {
      const failed = runs[runtime].results.find((r) => r.name === 'failures > deliberately fails an assertion')!;
      expect(failed.error).toContain(`${join(REPO_ROOT, B)}:${failingAssertionLine()}:`);
    });

    it('reports errors outside tests: the file using it.skip, the throwing describe, the unhandled rejection', () => {
      const run = runs[runtime];
      expect(run.collectErrors.join('\n')).toMatch(/c-skip\.fixture\.ts failed to load: .*mini-vitest: unsupported it\.skip/);
      expect(run.collectErrors.join('\n')).toContain('describe "factory throws" failed to collect: Error: factory exploded');
      expect(run.errors.join('\n')).toContain('nobody catches this');
    });

    it('turns the run into verdicts that fail exactly where the fixture fails', () => {
      const verdicts = runtimeVerdicts(runs[runtime], expected);
      const failing = verdicts.filter((v) => v.error).map((v) => v.name);
      expect(failing).toEqual([
        `${runtime}: no errors outside tests (loading test files, beforeAll/afterAll hooks, unhandled rejections)`,
        ...EXPECTED.filter(([, , status]) => status === 'fail').map(([file, name]) => `${runtime}: ${file} > ${name}`),
      ]);
      const assertion = verdicts.find((v) => v.name.endsWith('deliberately fails an assertion'))!;
      expect(assertion.error!.message).toBe('AssertionError: expected 2 to be 3 // Object.is equality');
      expect(assertion.error!.stack).toContain(`${join(REPO_ROOT, B)}:${failingAssertionLine()}:`);
    });
  });
}

describe('runs that cannot start', () => {
  it('fail every verdict, naming the cause, when Chromium is missing', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      const run = await runInChromium(suite, { echo: false });
      expect(run.launchError).toContain('no Chromium at /nonexistent/chromium');
      const verdicts = runtimeVerdicts(run, expected);
      expect(verdicts.length).toBe(3 + EXPECTED.length);
      for (const verdict of verdicts) expect(verdict.error?.message ?? `${verdict.name} passed`).toContain('chromium did not start: no Chromium at');
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it('fail the coverage verdict when nothing was listed or the runtime stopped early', () => {
    const stopped = newRun('deno');
    stopped.adapter = { vendor: 'v', architecture: '', description: 'd' };
    stopped.fatal = 'deno exited (signal SIGKILL) before the suite finished, after 0 results.';
    const coverage = (run: RuntimeRun, list: ExpectedTests) => runtimeVerdicts(run, list).find((v) => v.name.includes('executed exactly'))!;
    expect(coverage(stopped, expected).error?.message).toContain('deno could not run the suite: deno exited');
    expect(coverage(stopped, { error: 'boom' }).error?.message).toContain('could not list the suite');
    expect(coverage(stopped, { tests: [] }).error?.message).toBe('the suite registers no tests');
  });
});
