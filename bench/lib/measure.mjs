// Portable timing helpers for bench sections (no Node APIs: the same code runs in Node, Chromium
// and Deno). GPU work is timed from the first enqueue to the end of `await ps.flush()`, which
// submits everything queued and waits until the GPU has finished it.

/**
 * Times `body` (which enqueues GPU work and disposes what it creates): `warmup` untimed runs
 * (pipeline compilation, buffer pool warm-up), then `reps` is doubled until one batch takes at
 * least `minMs / trials`, then the best of `trials` batches. Returns milliseconds per run.
 * Best-of-N, not the mean: the CI machine is shared, and interference only ever adds time.
 */
export async function timeGpu(flush, body, { warmup = 1, minMs = 600, trials = 3, maxReps = 4096 } = {}) {
  for (let i = 0; i < warmup; i++) await body();
  await flush();
  let reps = 1;
  let ms = await batch(flush, body, reps);
  while (ms < minMs / trials && reps < maxReps) {
    reps = Math.min(maxReps, reps * Math.max(2, Math.min(16, Math.ceil(minMs / trials / Math.max(ms, 1e-3)))));
    ms = await batch(flush, body, reps);
  }
  let best = ms / reps;
  for (let t = 1; t < trials; t++) best = Math.min(best, (await batch(flush, body, reps)) / reps);
  return { ms: best, reps };
}

async function batch(flush, body, reps) {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await body();
  await flush();
  return performance.now() - t0;
}

/** Times an async round trip (each run awaits its own completion): best of `trials` means. */
export async function timeRoundTrip(body, { warmup = 3, reps = 50, trials = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await body();
  let best = Infinity;
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) await body();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}

/** A short description of the adapter for report headers. */
export function describeAdapter(ps) {
  const info = ps.runtime().adapterInfo;
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') || 'unknown adapter';
}
