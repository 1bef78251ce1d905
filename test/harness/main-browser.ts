/**
 * Page side of the Chromium run: the page loaded by run-chromium.ts calls `start` with the suite's
 * files; events go to `__perturbsetReport`, a function the Node side exposes on the page.
 * Uncaught errors and unhandled rejections are reported through the same channel, in order;
 * puppeteer's `pageerror` catches what happens before this module runs (a bundle that fails to load).
 */
import { DEFAULT_RUN_OPTIONS, describeError, REPORT_FUNCTION, type SuiteEvent } from './protocol.js';
import { findAdapterWithLibrary, parseRunOptions, runSuite, type SuiteFile } from './suite-driver.js';

export async function start(files: SuiteFile[]): Promise<void> {
  const report = (globalThis as unknown as Record<string, (event: SuiteEvent) => Promise<void>>)[REPORT_FUNCTION];
  if (typeof report !== 'function') throw new Error(`mini-vitest: the page has no ${REPORT_FUNCTION}(); open it through test/harness/run-chromium.ts`);
  const params = new URLSearchParams(globalThis.location.search);
  const options = parseRunOptions((name) => params.get(name), DEFAULT_RUN_OPTIONS);
  // Events are sent in order. A failed send (the page is closing) must not become an unhandled
  // rejection, which the listener below would try to send again.
  let chain = Promise.resolve();
  const send = (event: SuiteEvent): Promise<void> =>
    (chain = chain.then(() => report(event)).catch(() => undefined));
  globalThis.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    void send({ type: 'error', error: `unhandled rejection: ${describeError(event.reason)}` });
  });
  globalThis.addEventListener('error', (event) => {
    event.preventDefault();
    void send({ type: 'error', error: `uncaught error: ${describeError(event.error ?? event.message)}` });
  });
  // Chromium dispatches `unhandledrejection` some tens of milliseconds after the rejection.
  await runSuite(files, options, send, findAdapterWithLibrary, 250);
  await chain;
}
