/**
 * Node side: runs a built suite in headless Chromium through puppeteer. The system browser
 * ($CHROMIUM_PATH or /usr/bin/chromium) loads the suite page from a local server; the page sends
 * its events to a function exposed by puppeteer. One launch per run; the browser is closed even
 * when the run fails.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer';
import type { BuiltSuite } from './build-suite.js';
import { describeError, REPORT_FUNCTION, type SuiteEvent } from './protocol.js';
import { isFinished, newRun, recordEvent, type RuntimeRun } from './run-record.js';
import { RUN_OPTIONS, suiteDeadlineMs } from './runtime-env.js';
import { serveDirectory } from './serve-directory.js';
import { createStackMapper } from './stack-map.js';

/**
 * WebGPU on Linux needs --enable-unsafe-webgpu; headless Chromium then offers SwiftShader's
 * (fallback) adapter. The rest keeps the browser quiet and offline.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export async function runInChromium(suite: BuiltSuite, options: { echo?: boolean } = {}): Promise<RuntimeRun> {
  const run = newRun('chromium');
  const echo = options.echo ?? true;
  const started = performance.now();
  const mapStack = createStackMapper(suite.outDir);
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    run.launchError = `no Chromium at ${executablePath}: install Debian's chromium (scripts/install-system-deps.sh) or set CHROMIUM_PATH`;
    return run;
  }
  const server = await serveDirectory(suite.outDir);
  let browser: Browser | undefined;
  try {
    try {
      browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, protocolTimeout: suiteDeadlineMs() });
    } catch (err) {
      run.launchError = `could not launch Chromium (${executablePath}): ${describeError(err)}`;
      return run;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (isFinished(run)) resolve();
      };
      const fatal = (why: string): void => {
        if (isFinished(run)) return;
        run.fatal = why;
        resolve();
      };
      timer = setTimeout(
        () => fatal(`chromium did not finish within ${Math.round(suiteDeadlineMs() / 1000)} s (after ${run.results.length} results)`),
        suiteDeadlineMs(),
      );
      browser!.once('disconnected', () => fatal(`Chromium disconnected (crashed?) after ${run.results.length} results`));
      void (async () => {
        const page = await browser!.newPage();
        page.on('console', (message) => {
          const type = message.type();
          if (type === 'error' || type === 'warn') {
            run.output.push(message.text());
            if (echo) process.stderr.write(`[chromium ${type}] ${message.text()}\n`);
          }
        });
        // Uncaught errors and unhandled rejections; before collection they mean the bundle did not load.
        page.on('pageerror', (err) => {
          const text = mapStack(describeError(err));
          if (run.collected) run.errors.push(`uncaught in page: ${text}`);
          else fatal(`the suite page failed before collecting tests: ${text}`);
        });
        page.on('error', (err) => fatal(`the page crashed: ${describeError(err)}`));
        await page.exposeFunction(REPORT_FUNCTION, (event: SuiteEvent) => {
          recordEvent(run, event, mapStack);
          check();
        });
        const query = `?testTimeout=${RUN_OPTIONS.testTimeoutMs}&hookTimeout=${RUN_OPTIONS.hookTimeoutMs}`;
        const response = await page.goto(`${server.origin}/index.html${query}`);
        if (!response?.ok()) fatal(`could not load the suite page: HTTP ${response?.status() ?? 'no response'}`);
      })().catch((err: unknown) => fatal(`driving the page failed: ${describeError(err)}`));
    });
    clearTimeout(timer);
    return run;
  } finally {
    await browser?.close().catch(() => undefined);
    await server.close();
    run.wallMs = performance.now() - started;
  }
}
