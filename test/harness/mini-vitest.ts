/**
 * mini-vitest: what `import ... from 'vitest'` resolves to when the GPU suite is bundled for
 * Chromium and Deno (test/harness/build-suite.ts). It implements the part of vitest's API the suite
 * uses, with vitest's semantics; everything else fails loudly:
 * - a missing export (vi, bench, ...) fails the bundle build,
 * - `it.skip`, `describe.only`, `it.each`, `expect.any`, `toMatchObject`... throw "mini-vitest: unsupported ...".
 * Skipping is not supported at all: the project forbids skipped tests.
 */
import { addHook, addSuite, addTest, type HookName } from './mini-runner.js';

export { expect } from './mini-expect.js';

type TestFn = (context: { task: { name: string; file: string }; signal: AbortSignal }) => unknown;
type Options = { timeout?: number };

function unsupported(api: string, why = ''): never {
  throw new Error(`mini-vitest: unsupported ${api}${why ? ` (${why})` : ''}; the Chromium/Deno runs of the GPU suite implement test/harness/mini-vitest.ts`);
}

function nameOf(name: unknown, api: string): string {
  if (typeof name === 'string') return name;
  if (typeof name === 'function' && name.name) return name.name;
  if (typeof name === 'number') return String(name);
  return unsupported(`${api}() name of type ${typeof name}`);
}

function timeoutOf(options: unknown, api: string): number | undefined {
  if (options === undefined) return undefined;
  if (typeof options === 'number') return options;
  if (typeof options === 'object' && options !== null) {
    for (const key of Object.keys(options)) if (key !== 'timeout') unsupported(`${api}() option "${key}"`);
    return (options as Options).timeout;
  }
  return unsupported(`${api}() options of type ${typeof options}`);
}

const SKIP_WHY = 'skipped, focused and todo tests are forbidden in this project';
const MODIFIERS: Record<string, string> = { skip: SKIP_WHY, only: SKIP_WHY, todo: SKIP_WHY, skipIf: SKIP_WHY, runIf: SKIP_WHY, fails: SKIP_WHY };

/** A function whose properties (it.skip, describe.each, ...) are all unsupported. */
function strictFunction<F extends (...args: never[]) => unknown>(api: string, fn: F): F {
  return new Proxy(fn, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop === 'name' || prop === 'length' || prop === 'call' || prop === 'apply' || prop === 'bind' || prop === 'toString') {
        return Reflect.get(target, prop, receiver);
      }
      return unsupported(`${api}.${prop}`, MODIFIERS[prop]);
    },
  });
}

function defineTest(api: string) {
  return strictFunction(api, (name: unknown, a?: TestFn | Options | number, b?: TestFn | Options | number): void => {
    const testName = nameOf(name, api);
    if (typeof a === 'function') addTest(testName, a, timeoutOf(b, api));
    else if (typeof b === 'function') addTest(testName, b, timeoutOf(a, api));
    else unsupported(`${api}("${testName}") without a function`, 'todo tests are forbidden in this project');
  });
}

export const it = defineTest('it');
export const test = defineTest('test');

function defineSuite(api: string) {
  return strictFunction(api, (name: unknown, factory?: () => unknown, ...rest: unknown[]): void => {
    const suiteName = nameOf(name, api);
    if (typeof factory !== 'function') unsupported(`${api}("${suiteName}") without a function as second argument`);
    if (rest.length) unsupported(`${api}("${suiteName}") options or timeout`);
    addSuite(suiteName, factory);
  });
}

export const describe = defineSuite('describe');
export const suite = defineSuite('suite');

function defineHook(name: HookName) {
  return (fn: (...args: never[]) => unknown, timeout?: number): void => addHook(name, fn, timeout);
}

export const beforeAll = defineHook('beforeAll');
export const afterAll = defineHook('afterAll');
export const beforeEach = defineHook('beforeEach');
export const afterEach = defineHook('afterEach');
