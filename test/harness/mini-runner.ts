/**
 * mini-vitest's registry and runner: vitest's collection and execution order, run sequentially.
 * - Collection: `describe` bodies run after their file is imported, depth first, in order (as vitest).
 * - Each suite: beforeAll hooks in order, then its tests and child suites in order, then afterAll
 *   hooks in reverse order (vitest's default `sequence.hooks: 'stack'`), even when something failed.
 * - Each test: beforeEach hooks from the file down, the test (with its timeout), promise
 *   assertions it did not await, then afterEach hooks from the innermost suite up, in reverse.
 * - A failing beforeAll fails every test under it; a test's failure never stops the run.
 */
import { settlePendingAssertions } from './mini-expect.js';
import { describeError, type RunOptions, type SuiteEvent, type TestId, type TestResult } from './protocol.js';

export type HookName = 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach';
type AnyFn = (...args: never[]) => unknown;

interface Hook {
  fn: AnyFn;
  timeoutMs: number | undefined;
}

export interface SuiteNode {
  kind: 'suite';
  name: string;
  file: string;
  parent: SuiteNode | null;
  factory: (() => unknown) | null;
  children: (SuiteNode | TestNode)[];
  hooks: Record<HookName, Hook[]>;
  collectError: string | null;
}

export interface TestNode {
  kind: 'test';
  name: string;
  file: string;
  parent: SuiteNode;
  fn: AnyFn;
  timeoutMs: number | undefined;
  id: number;
}

const roots: SuiteNode[] = [];
let current: SuiteNode | null = null;
let phase: 'collect' | 'run' = 'collect';

function newSuite(name: string, file: string, parent: SuiteNode | null, factory: (() => unknown) | null): SuiteNode {
  return { kind: 'suite', name, file, parent, factory, children: [], hooks: { beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] }, collectError: null };
}

function registering(what: string): SuiteNode {
  if (phase === 'run') throw new Error(`mini-vitest: ${what} called while tests are running; register tests and hooks at collection time`);
  if (!current) throw new Error(`mini-vitest: ${what} called outside a test file`);
  return current;
}

// ---- registration (used by mini-vitest.ts) ----

export function addSuite(name: string, factory: () => unknown): void {
  const parent = registering('describe()');
  parent.children.push(newSuite(name, parent.file, parent, factory));
}

export function addTest(name: string, fn: AnyFn, timeoutMs: number | undefined): void {
  const parent = registering('it()');
  parent.children.push({ kind: 'test', name, file: parent.file, parent, fn, timeoutMs, id: -1 });
}

export function addHook(name: HookName, fn: AnyFn, timeoutMs: number | undefined): void {
  if (typeof fn !== 'function') throw new TypeError(`mini-vitest: ${name}() needs a function`);
  registering(`${name}()`).hooks[name].push({ fn, timeoutMs });
}

// ---- collection ----

/** Starts a test file: what registers until `endFile` belongs to it. */
export function beginFile(file: string): SuiteNode {
  const root = newSuite('', file, null, null);
  roots.push(root);
  current = root;
  return root;
}

function suitePath(suite: SuiteNode): string[] {
  const names: string[] = [];
  for (let s: SuiteNode | null = suite; s?.parent; s = s.parent) names.unshift(s.name);
  return names;
}

async function collectChildren(suite: SuiteNode): Promise<string[]> {
  const errors: string[] = [];
  for (const child of [...suite.children]) {
    if (child.kind !== 'suite' || !child.factory) continue;
    const factory = child.factory;
    child.factory = null;
    current = child;
    try {
      await factory();
    } catch (err) {
      child.collectError = describeError(err);
      errors.push(`describe "${suitePath(child).join(' > ')}" failed to collect: ${child.collectError}`);
    }
    current = suite;
    if (!child.collectError) errors.push(...(await collectChildren(child)));
  }
  return errors;
}

/** Runs the describe bodies of the file begun last; returns collection errors (the tests of a failed describe fail). */
export async function endFile(root: SuiteNode): Promise<string[]> {
  try {
    return await collectChildren(root);
  } finally {
    current = null;
  }
}

function testsUnder(suite: SuiteNode): TestNode[] {
  return suite.children.flatMap((c) => (c.kind === 'test' ? [c] : testsUnder(c)));
}

function fullName(test: TestNode): string {
  return [...suitePath(test.parent), test.name].join(' > ');
}

/** All registered tests in execution order, numbered. */
export function registeredTests(): TestId[] {
  const tests = roots.flatMap(testsUnder);
  tests.forEach((t, i) => (t.id = i));
  return tests.map((t) => ({ id: t.id, file: t.file, name: fullName(t) }));
}

// ---- execution ----

const now = (): number => globalThis.performance.now();

function withTimeout<T>(work: () => T | Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    Promise.resolve()
      .then(work)
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

function hookTimeoutError(name: HookName, ms: number): Error {
  return new Error(`Hook timed out in ${ms}ms.\nIf this is a long-running hook, pass a timeout value as the last argument to ${name} or configure hookTimeout.`);
}

async function callHook(suite: SuiteNode, name: HookName, hook: Hook, args: unknown[], options: RunOptions): Promise<unknown> {
  const ms = hook.timeoutMs ?? options.hookTimeoutMs;
  return withTimeout(() => (hook.fn as (...a: unknown[]) => unknown)(...args), ms, () => hookTimeoutError(name, ms)).catch((err: unknown) => {
    const where = suitePath(suite).join(' > ') || suite.file;
    throw annotate(err, `${name} hook of "${where}"`);
  });
}

/** Prefixes an error's message with where it came from, keeping its stack. */
function annotate(err: unknown, where: string): Error {
  if (err instanceof Error) {
    if (!err.message.startsWith(where)) {
      const old = err.message;
      try {
        err.message = `${where}: ${old}`;
        if (err.stack?.includes(old)) err.stack = err.stack.replace(old, err.message);
      } catch {
        /* read-only message: leave it */
      }
    }
    return err;
  }
  return new Error(`${where}: ${describeError(err)}`);
}

interface TestContext {
  task: { name: string; file: string };
  signal: AbortSignal;
}

function contextFor(test: TestNode, signal: AbortSignal): TestContext {
  const ctx: TestContext = { task: { name: test.name, file: test.file }, signal };
  return new Proxy(ctx, {
    get(target, prop, receiver) {
      if (typeof prop === 'symbol' || prop in target || prop === 'then') return Reflect.get(target, prop, receiver);
      throw new Error(`mini-vitest: unsupported test context property "${prop}" (only task and signal are available in the Chromium/Deno runs)`);
    },
  });
}

function chain(test: TestNode): SuiteNode[] {
  const suites: SuiteNode[] = [];
  for (let s: SuiteNode | null = test.parent; s; s = s.parent) suites.unshift(s);
  return suites;
}

async function runCleanups(cleanups: unknown[]): Promise<void> {
  for (const fn of [...cleanups].reverse()) if (typeof fn === 'function') await (fn as () => unknown)();
}

async function runTest(test: TestNode, options: RunOptions): Promise<TestResult> {
  const start = now();
  const errors: unknown[] = [];
  const abort = new AbortController();
  const context = contextFor(test, abort.signal);
  const suites = chain(test);
  const cleanups: unknown[] = [];
  try {
    for (const suite of suites) {
      for (const hook of suite.hooks.beforeEach) cleanups.push(await callHook(suite, 'beforeEach', hook, [context, suite], options));
    }
    const ms = test.timeoutMs ?? options.testTimeoutMs;
    await withTimeout(() => (test.fn as (c: TestContext) => unknown)(context), ms, () => {
      abort.abort();
      return new Error(`Test timed out in ${ms}ms.\nIf this is a long-running test, pass a timeout value as the last argument or configure testTimeout.`);
    });
    await settlePendingAssertions();
  } catch (err) {
    errors.push(err);
    await settlePendingAssertions().catch(() => undefined);
  }
  try {
    for (const suite of [...suites].reverse()) {
      for (const hook of [...suite.hooks.afterEach].reverse()) await callHook(suite, 'afterEach', hook, [context, suite], options);
    }
    await runCleanups(cleanups);
  } catch (err) {
    errors.push(err);
  }
  const result: TestResult = { id: test.id, file: test.file, name: fullName(test), status: errors.length ? 'fail' : 'pass', durationMs: now() - start };
  if (errors.length) result.error = errors.map(describeError).join('\n\nand then: ');
  return result;
}

type Report = (event: SuiteEvent) => unknown;

function failAll(suite: SuiteNode, why: string, report: Report): void {
  for (const test of testsUnder(suite)) {
    report({ type: 'result', result: { id: test.id, file: test.file, name: fullName(test), status: 'fail', error: why, durationMs: 0 } });
  }
}

async function runSuite(suite: SuiteNode, options: RunOptions, report: Report): Promise<void> {
  const where = suitePath(suite).join(' > ') || suite.file;
  if (suite.collectError) {
    failAll(suite, `describe "${where}" failed to collect: ${suite.collectError}`, report);
    return;
  }
  if (testsUnder(suite).length === 0) {
    report({ type: 'error', error: `${suite.file}: no test found in ${suite.parent ? `suite "${where}"` : 'file'}` });
    return;
  }
  const cleanups: unknown[] = [];
  try {
    let beforeAllFailed = false;
    try {
      for (const hook of suite.hooks.beforeAll) cleanups.push(await callHook(suite, 'beforeAll', hook, [suite], options));
    } catch (err) {
      beforeAllFailed = true;
      failAll(suite, describeError(err), report);
    }
    if (!beforeAllFailed) {
      for (const child of suite.children) {
        if (child.kind === 'test') report({ type: 'result', result: await runTest(child, options) });
        else await runSuite(child, options, report);
      }
    }
  } finally {
    try {
      for (const hook of [...suite.hooks.afterAll].reverse()) await callHook(suite, 'afterAll', hook, [suite], options);
      await runCleanups(cleanups);
    } catch (err) {
      report({ type: 'error', error: `${suite.file}: ${describeError(err)}` });
    }
  }
}

/** Runs every collected test; events go to `report` as they happen. */
export async function runRegistered(options: RunOptions, report: Report): Promise<void> {
  phase = 'run';
  for (const root of roots) await runSuite(root, options, report);
}
