/**
 * What a suite bundle reports to the Node side, in every runtime: a stream of events. The browser
 * hands them to a function Node exposes on the page; Deno and Node print each as one stdout line
 * starting with EVENT_PREFIX.
 */

export const EVENT_PREFIX = '@@perturbset-suite-event@@ ';

/** The function the Chromium page calls with each event (exposed by puppeteer). */
export const REPORT_FUNCTION = '__perturbsetReport';

/** One registered test: `name` is the describe path and the test name joined by ' > '. */
export interface TestId {
  /** Position in registration order across the whole suite; the key that matches results to tests. */
  id: number;
  /** Path of the test file relative to the repository root, e.g. `test/gpu/smoke.test.ts`. */
  file: string;
  name: string;
}

export interface TestResult extends TestId {
  status: 'pass' | 'fail';
  /** Message and stack of the first error, when the test failed. */
  error?: string;
  durationMs: number;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
}

/** Defaults for per-test and per-hook timeouts: the same as `vitest.config.ts`. */
export interface RunOptions {
  testTimeoutMs: number;
  hookTimeoutMs: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { testTimeoutMs: 120_000, hookTimeoutMs: 600_000 };

export type SuiteEvent =
  /** All files imported and collected; `tests` is what will run, in order. */
  | { type: 'collected'; tests: TestId[] }
  /** A test file (or one of its describe blocks) failed to load or collect. */
  | { type: 'collect-error'; file: string; error: string }
  /** The runtime's WebGPU adapter, found before any test runs. */
  | { type: 'adapter'; adapter: AdapterDescription; userAgent: string }
  | { type: 'result'; result: TestResult }
  /** An error outside any test: a beforeAll/afterAll hook, an unhandled rejection, an uncaught error. */
  | { type: 'error'; error: string }
  /** The run could not go on (no WebGPU, no adapter...). */
  | { type: 'fatal'; error: string }
  | { type: 'end'; durationMs: number };

/** Message and stack of anything thrown, as one string. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const stack = err.stack ?? '';
    const head = `${err.name}: ${err.message}`;
    // V8 stacks start with "Name: message"; others (Firefox/Safari) are frames only.
    const text = stack.startsWith(head) || stack.includes(err.message) ? stack : `${head}\n${stack}`;
    const cause = (err as { cause?: unknown }).cause;
    return cause === undefined ? text : `${text}\nCaused by: ${describeError(cause)}`;
  }
  try {
    return `thrown value (not an Error): ${typeof err === 'string' ? JSON.stringify(err) : String(err)}`;
  } catch {
    return 'thrown value (not an Error, not printable)';
  }
}
