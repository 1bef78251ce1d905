// Runs bench sections in whatever runtime imported it (Node, a Chromium page, Deno) and sends
// every result as an event to `emit`; bench/run.mjs collects the events and prints the table.
// Portable: no Node APIs.
import { describeAdapter, timeGpu, timeRoundTrip } from './measure.mjs';

/**
 * @param sections modules with `meta` ({ name, title, portable }) and `run(ctx)`
 * @param env { ps, internals, runtime, options: { only?, quick?, full?, init? }, emit }
 */
export async function runSections(sections, { ps, internals, runtime, options, emit }) {
  try {
    await ps.init(options.init ?? {});
    // The internal bundle shares dist's device, so both measure the same adapter.
    await internals.init({ device: ps.runtime().device });
    const device = ps.runtime().device;
    emit({ type: 'adapter', runtime, adapter: describeAdapter(ps), features: [...device.features].sort() });
    for (const section of sections) {
      if (options.only && !options.only.includes(section.meta.name)) continue;
      emit({ type: 'section', name: section.meta.name, title: section.meta.title });
      const ctx = {
        ps,
        internals,
        runtime,
        quick: !!options.quick,
        full: !!options.full,
        timeGpu: (body, opts = {}) => timeGpu(opts.flush ?? ps.flush, body, opts),
        timeRoundTrip,
        report: (row) => emit({ type: 'row', section: section.meta.name, ...row }),
        log: (message) => emit({ type: 'log', message: String(message) }),
      };
      try {
        await section.run(ctx);
      } catch (err) {
        emit({ type: 'error', section: section.meta.name, message: String(err?.stack ?? err) });
      }
    }
  } catch (err) {
    emit({ type: 'error', section: null, message: String(err?.stack ?? err) });
  }
  emit({ type: 'done' });
}
