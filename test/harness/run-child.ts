/**
 * Node side: runs a suite bundle in a child process (Deno, or Node for listing) whose stdout
 * carries one event per line after EVENT_PREFIX. Other output is kept (and echoed with a prefix).
 * A deadline kills the child; an exit before the end of the run is recorded as fatal.
 */
import { spawn } from 'node:child_process';
import { EVENT_PREFIX, type SuiteEvent } from './protocol.js';
import { isFinished, newRun, recordEvent, type RuntimeRun } from './run-record.js';
import type { StackMapper } from './stack-map.js';

export interface ChildSpec {
  runtime: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  deadlineMs: number;
  mapStack: StackMapper;
  /** Echo the child's own output lines (console.log of tests, warnings) to this process's stderr. */
  echo: boolean;
  /** Listing only: finished once the tests are collected. */
  untilCollected?: boolean;
}

const TAIL_LINES = 40;

export function runChild(spec: ChildSpec): Promise<RuntimeRun> {
  const run = newRun(spec.runtime);
  const started = performance.now();
  return new Promise((resolvePromise) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      run.wallMs = performance.now() - started;
      resolvePromise(run);
    };
    const keep = (line: string): void => {
      run.output.push(line);
      if (run.output.length > TAIL_LINES) run.output.shift();
      if (spec.echo && line.trim()) process.stderr.write(`[${spec.runtime}] ${line}\n`);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      run.launchError = `could not start ${spec.command}: ${(err as Error).message}`;
      finish();
      return;
    }
    const timer = setTimeout(() => {
      run.fatal ??= `${spec.runtime} did not finish within ${Math.round(spec.deadlineMs / 1000)} s (after ${run.results.length} results); killed it`;
      child.kill('SIGKILL');
    }, spec.deadlineMs);
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.startsWith(EVENT_PREFIX)) {
          keep(line);
          continue;
        }
        recordEvent(run, JSON.parse(line.slice(EVENT_PREFIX.length)) as SuiteEvent, spec.mapStack);
      }
    });
    child.stderr!.setEncoding('utf8');
    let stderrRest = '';
    child.stderr!.on('data', (chunk: string) => {
      const lines = (stderrRest + chunk).split('\n');
      stderrRest = lines.pop() ?? '';
      lines.forEach(keep);
    });
    child.on('error', (err) => {
      run.launchError ??= `could not start ${spec.command}: ${err.message}`;
      finish();
    });
    child.on('close', (code, signal) => {
      if (stderrRest) keep(stderrRest);
      const done = spec.untilCollected ? run.collected !== undefined : isFinished(run);
      if (!done) {
        run.fatal ??=
          `${spec.runtime} exited (${signal ? `signal ${signal}` : `code ${code}`}) before the suite finished, after ${run.results.length} results.` +
          `\nLast output:\n${run.output.join('\n') || '(none)'}`;
      }
      finish();
    });
  });
}
