/** Node side: settings shared by the runtime launchers. */
import { mkdirSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from './protocol.js';

/** Upper bound for a whole runtime run, on top of the per-test timeouts; PERTURBSET_SUITE_DEADLINE_S overrides. */
export function suiteDeadlineMs(): number {
  const seconds = Number(process.env.PERTURBSET_SUITE_DEADLINE_S);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 30 * 60) * 1000;
}

export const RUN_OPTIONS: RunOptions = DEFAULT_RUN_OPTIONS;

/** The environment for a child runtime, with XDG_RUNTIME_DIR set (Vulkan loaders and Deno want one). */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  if (!env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `xdg-runtime-${userInfo().uid}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    env.XDG_RUNTIME_DIR = dir;
  }
  return env;
}
