/**
 * Deno side: `deno run <bundle>/deno.js [--test-timeout=N] [--hook-timeout=N]` runs the suite and
 * prints each event as one stdout line starting with EVENT_PREFIX. Needs no permissions.
 */
import { DEFAULT_RUN_OPTIONS, EVENT_PREFIX, describeError, type SuiteEvent } from './protocol.js';
import { findAdapterWithLibrary, parseRunOptions, runSuite, type SuiteFile } from './suite-driver.js';

interface DenoApi {
  args: string[];
  exit(code: number): never;
}

function argValue(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

export async function start(files: SuiteFile[]): Promise<void> {
  const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const report = (event: SuiteEvent): void => console.log(EVENT_PREFIX + JSON.stringify(event));
  // Without preventDefault Deno would exit on the first unhandled rejection.
  globalThis.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    report({ type: 'error', error: `unhandled rejection: ${describeError(event.reason)}` });
  });
  globalThis.addEventListener('error', (event) => {
    event.preventDefault();
    report({ type: 'error', error: `uncaught error: ${describeError(event.error)}` });
  });
  const options = parseRunOptions((name) => argValue(deno.args, name === 'testTimeout' ? 'test-timeout' : 'hook-timeout'), DEFAULT_RUN_OPTIONS);
  await runSuite(files, options, report, findAdapterWithLibrary);
  // Let late unhandled rejections surface, then exit even if a GPU device keeps the event loop alive.
  await new Promise((resolve) => setTimeout(resolve, 0));
  deno.exit(0);
}
