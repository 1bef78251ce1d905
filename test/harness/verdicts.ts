/**
 * Node side: turns a runtime's run of the suite into named pass/fail verdicts, one per test the
 * suite registers (as listed by collecting it in Node) plus three about the run as a whole:
 * the runtime started with an adapter, it ran exactly the listed tests, nothing failed outside tests.
 * A verdict that cannot be established fails, with the reason: nothing is skipped silently.
 */
import type { TestId, TestResult } from './protocol.js';
import { describeAdapter, type RuntimeRun } from './run-record.js';

export interface Verdict {
  name: string;
  /** Absent when the verdict passes. */
  error?: Error;
}

/** The suite as collected in Node, or why it could not be. */
export interface ExpectedTests {
  tests?: TestId[];
  error?: string;
}

/** An Error whose message is the runtime's message and whose stack is the runtime's (mapped) stack. */
export function runtimeError(text: string): Error {
  const firstFrame = text.search(/\n\s+at /);
  const message = firstFrame < 0 ? text : text.slice(0, firstFrame);
  const error = new Error(message);
  error.stack = text;
  return error;
}

function whyNotRun(run: RuntimeRun): string {
  if (run.launchError) return `${run.runtime} did not start: ${run.launchError}`;
  if (run.fatal) return `${run.runtime} could not run the suite: ${run.fatal}`;
  if (!run.ended) return `${run.runtime} stopped before the end of the run`;
  return `${run.runtime} did not run this test (it ran ${run.results.length} tests)`;
}

const key = (t: Pick<TestId, 'file' | 'name'>): string => `${t.file} > ${t.name}`;

function sameTests(a: TestId[], b: TestId[]): string | null {
  const missing = a.filter((t) => !b.some((u) => u.id === t.id && key(u) === key(t)));
  const extra = b.filter((u) => !a.some((t) => t.id === u.id && key(u) === key(t)));
  if (!missing.length && !extra.length) return null;
  const list = (ts: TestId[]) => ts.slice(0, 10).map((t) => `  #${t.id} ${key(t)}`).join('\n') + (ts.length > 10 ? `\n  … ${ts.length - 10} more` : '');
  return [missing.length ? `missing (${missing.length}):\n${list(missing)}` : '', extra.length ? `unexpected (${extra.length}):\n${list(extra)}` : ''].filter(Boolean).join('\n');
}

export function runtimeVerdicts(run: RuntimeRun, expected: ExpectedTests): Verdict[] {
  const rt = run.runtime;
  const verdicts: Verdict[] = [];
  const fail = (message: string) => new Error(message);

  const started = run.launchError ? fail(whyNotRun(run)) : run.adapter ? undefined : fail(run.fatal ? whyNotRun(run) : `${rt} reported no WebGPU adapter`);
  verdicts.push({ name: `${rt}: runtime started and found a WebGPU adapter (${describeAdapter(run.adapter)})`, ...(started && { error: started }) });

  const tests = expected.tests ?? [];
  let coverage: Error | undefined;
  if (!expected.tests) coverage = fail(`could not list the suite's tests in Node: ${expected.error ?? 'unknown error'}`);
  else if (tests.length === 0) coverage = fail('the suite registers no tests');
  else if (!run.ended) coverage = fail(whyNotRun(run));
  else {
    const collected = sameTests(tests, run.collected ?? []);
    const executed = sameTests(tests, run.results);
    if (collected) coverage = fail(`${rt} collected other tests than Node:\n${collected}`);
    else if (executed) coverage = fail(`${rt} executed other tests than the suite registers:\n${executed}`);
  }
  verdicts.push({ name: `${rt}: executed exactly the ${tests.length} tests the suite registers`, ...(coverage && { error: coverage }) });

  const outside = [...run.collectErrors, ...run.errors];
  const clean = outside.length
    ? runtimeError(`${outside.length} error(s) in ${rt} outside tests:\n\n${outside.join('\n\n')}`)
    : run.ended
      ? undefined
      : fail(whyNotRun(run));
  verdicts.push({
    name: `${rt}: no errors outside tests (loading test files, beforeAll/afterAll hooks, unhandled rejections)`,
    ...(clean && { error: clean }),
  });

  const byId = new Map<number, TestResult>(run.results.map((r) => [r.id, r]));
  for (const test of tests) {
    const result = byId.get(test.id);
    let error: Error | undefined;
    if (!result || key(result) !== key(test)) error = fail(whyNotRun(run));
    else if (result.status === 'fail') error = runtimeError(result.error ?? `failed in ${rt} (no error recorded)`);
    verdicts.push({ name: `${rt}: ${key(test)}`, ...(error && { error }) });
  }
  return verdicts;
}
