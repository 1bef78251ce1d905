/**
 * Runtime side of a suite bundle: imports the test files one by one (each registers into
 * mini-vitest under its own name), then optionally finds the WebGPU adapter and runs everything.
 * Every outcome goes out as a SuiteEvent through `report`.
 */
import { beginFile, endFile, registeredTests, runRegistered } from './mini-runner.js';
import { describeError, type AdapterDescription, type RunOptions, type SuiteEvent, type TestId } from './protocol.js';

export interface SuiteFile {
  /** Relative to the repository root, e.g. `test/gpu/smoke.test.ts`. */
  file: string;
  load: () => Promise<unknown>;
}

export type Report = (event: SuiteEvent) => unknown;

/** Imports and collects every file; a file that fails to import or collect is reported and runs nothing. */
export async function collectSuite(files: SuiteFile[], report: Report): Promise<TestId[]> {
  for (const { file, load } of files) {
    const root = beginFile(file);
    try {
      await load();
    } catch (err) {
      root.collectError = describeError(err);
      await endFile(root).catch(() => undefined);
      report({ type: 'collect-error', file, error: `${file} failed to load: ${root.collectError}` });
      continue;
    }
    for (const error of await endFile(root)) report({ type: 'collect-error', file, error });
  }
  const tests = registeredTests();
  report({ type: 'collected', tests });
  return tests;
}

export async function runSuite(
  files: SuiteFile[],
  options: RunOptions,
  report: Report,
  findAdapter: () => Promise<{ adapter: AdapterDescription; userAgent: string }>,
  /** How long to wait after the last test for late unhandled rejections before reporting the end. */
  settleMs = 0,
): Promise<void> {
  const start = globalThis.performance.now();
  try {
    await collectSuite(files, report);
    let found: { adapter: AdapterDescription; userAgent: string };
    try {
      found = await findAdapter();
    } catch (err) {
      report({ type: 'fatal', error: `no WebGPU adapter: ${describeError(err)}` });
      return;
    }
    report({ type: 'adapter', ...found });
    await runRegistered(options, report);
    // So that unhandled rejections from the last tests are reported before the end.
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    report({ type: 'end', durationMs: globalThis.performance.now() - start });
  } catch (err) {
    report({ type: 'fatal', error: `the suite runner itself failed: ${describeError(err)}` });
  }
}

/** The adapter the library itself would get (src/gpu/device.ts), described; its device is destroyed again. */
export async function findAdapterWithLibrary(): Promise<{ adapter: AdapterDescription; userAgent: string }> {
  const { acquireDevice } = await import('../../src/gpu/device.js');
  const { device, adapterInfo } = await acquireDevice();
  device.destroy();
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  return { adapter: { ...adapterInfo }, userAgent: nav?.userAgent ?? 'unknown' };
}

/** `--test-timeout=N --hook-timeout=N` (Deno/Node arguments) or `?testTimeout=N&hookTimeout=N` (page URL). */
export function parseRunOptions(get: (name: 'testTimeout' | 'hookTimeout') => string | null | undefined, defaults: RunOptions): RunOptions {
  const num = (name: 'testTimeout' | 'hookTimeout', fallback: number): number => {
    const raw = get(name);
    const value = raw == null ? NaN : Number(raw);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return { testTimeoutMs: num('testTimeout', defaults.testTimeoutMs), hookTimeoutMs: num('hookTimeout', defaults.hookTimeoutMs) };
}
