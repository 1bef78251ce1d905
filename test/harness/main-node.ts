/**
 * Node side of a suite bundle, run as a child process: `node <bundle>/node.js --list` imports and
 * collects the suite without running it (the expected set of tests for the Chromium and Deno runs);
 * without `--list` it runs it, as the harness self-test does. Events go to stdout lines. It does not
 * probe for an adapter: in Node, vitest runs the GPU suite itself; tests acquire their own device.
 */
import { DEFAULT_RUN_OPTIONS, EVENT_PREFIX, describeError, type SuiteEvent } from './protocol.js';
import { collectSuite, parseRunOptions, runSuite, type SuiteFile } from './suite-driver.js';

interface NodeProcessApi {
  argv: string[];
  versions: { node: string };
  exit(code: number): never;
  on(event: 'unhandledRejection' | 'uncaughtException', listener: (reason: unknown) => void): void;
}

export async function start(files: SuiteFile[]): Promise<void> {
  const proc = (globalThis as unknown as { process: NodeProcessApi }).process;
  const report = (event: SuiteEvent): void => console.log(EVENT_PREFIX + JSON.stringify(event));
  proc.on('unhandledRejection', (reason) => report({ type: 'error', error: `unhandled rejection: ${describeError(reason)}` }));
  proc.on('uncaughtException', (err) => report({ type: 'error', error: `uncaught error: ${describeError(err)}` }));
  const args = proc.argv.slice(2);
  if (args.includes('--list')) {
    await collectSuite(files, report);
  } else {
    const get = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    const options = parseRunOptions((name) => get(name === 'testTimeout' ? 'test-timeout' : 'hook-timeout'), DEFAULT_RUN_OPTIONS);
    const notProbed = { vendor: '', architecture: '', description: 'not probed in a Node child process' };
    await runSuite(files, options, report, async () => ({ adapter: notProbed, userAgent: `Node ${proc.versions.node}` }));
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  // dawn.node keeps the process alive while a GPU object exists.
  proc.exit(0);
}
