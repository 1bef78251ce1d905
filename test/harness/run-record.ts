/**
 * Node side: what one runtime's run of the suite produced, accumulated from its events.
 * Error texts have their stacks mapped back to the sources as they arrive.
 */
import type { AdapterDescription, SuiteEvent, TestId, TestResult } from './protocol.js';
import type { StackMapper } from './stack-map.js';

export interface RuntimeRun {
  runtime: string;
  /** The runtime could not be started at all (missing binary, launch failure). */
  launchError?: string;
  /** It started but could not run the suite (no adapter, crash, deadline, runner failure). */
  fatal?: string;
  adapter?: AdapterDescription;
  userAgent?: string;
  /** The tests the runtime collected, when it got that far. */
  collected?: TestId[];
  collectErrors: string[];
  /** Errors outside tests: hooks, unhandled rejections, uncaught errors. */
  errors: string[];
  results: TestResult[];
  /** The runtime reported the end of the run. */
  ended: boolean;
  wallMs: number;
  /** Lines the runtime wrote that were not events (its console), for diagnostics. */
  output: string[];
}

export function newRun(runtime: string): RuntimeRun {
  return { runtime, collectErrors: [], errors: [], results: [], ended: false, wallMs: 0, output: [] };
}

export function recordEvent(run: RuntimeRun, event: SuiteEvent, mapStack: StackMapper): void {
  switch (event.type) {
    case 'collected':
      run.collected = event.tests;
      break;
    case 'collect-error':
      run.collectErrors.push(mapStack(event.error));
      break;
    case 'adapter':
      run.adapter = event.adapter;
      run.userAgent = event.userAgent;
      break;
    case 'result':
      run.results.push(event.result.error === undefined ? event.result : { ...event.result, error: mapStack(event.result.error) });
      break;
    case 'error':
      run.errors.push(mapStack(event.error));
      break;
    case 'fatal':
      run.fatal ??= mapStack(event.error);
      break;
    case 'end':
      run.ended = true;
      break;
  }
}

/** The run is over: it ended, or it cannot go on. */
export function isFinished(run: RuntimeRun): boolean {
  return run.ended || run.fatal !== undefined || run.launchError !== undefined;
}

export function describeAdapter(adapter: AdapterDescription | undefined): string {
  if (!adapter) return 'none';
  return [adapter.vendor, adapter.architecture, adapter.description].filter((s) => s).join(' / ') || 'unnamed adapter';
}
