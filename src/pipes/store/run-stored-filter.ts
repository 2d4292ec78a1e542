import type { TwinstreamError } from '../../errors.ts';
import { LocalPipe } from '../local-pipe.ts';
import type { FilterModule } from '../modules/pipe-module.ts';
import { runModule } from '../modules/run-module.ts';
import { StoredStreamWriter } from './stored-stream-writer.ts';
import type { StreamStore } from './stream-store.ts';

/** Which stored streams a filter reads and writes, by the module's pipe names. */
export interface StoredFilterOptions {
  readonly input: { readonly name: string; readonly path: string };
  readonly output: { readonly name: string; readonly path: string };
  readonly args?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Rows per history read. Default 100,000. */
  readonly blockRows?: number;
}

/**
 * Runs a filter module against stored streams, as jouled does: first the history — every interval of the input for
 * which the output holds nothing, one interval at a time (a break after each) — then the live data inserted into the
 * input from then on. Live rows that arrived while the history was replayed are not lost nor repeated.
 *
 * @example
 * import { MeanFilter, runStoredFilter, StreamStore } from 'twinstream/pipes';
 * const store = await StreamStore.open({ path: './data' });
 * const stop = new AbortController();
 * const done = runStoredFilter(store, new MeanFilter(), {
 *   input: { name: 'in', path: '/plant/power' },
 *   output: { name: 'out', path: '/plant/power_mean' },
 *   signal: stop.signal,
 * });
 */
export async function runStoredFilter(
  store: StreamStore,
  module: FilterModule,
  options: StoredFilterOptions,
): Promise<void> {
  const layout = store.layout(options.input.path);
  store.layout(options.output.path);
  const feed = new LocalPipe({ layout, name: options.input.path });
  // Subscribed before the history is read, so nothing inserted meanwhile is missed.
  const live = new LocalPipe({ layout, name: `${options.input.path} (live)` });
  const unsubscribe = store.subscribe(options.input.path, live);
  options.signal?.addEventListener('abort', () => {
    unsubscribe();
    live.close();
  });
  const blockRows = options.blockRows ?? 100_000;

  const feeding = (async () => {
    let last = Number.NEGATIVE_INFINITY;
    for (const [s, e] of store.intervals(options.input.path)) {
      if (store.intervals(options.output.path, { start: s, end: e + 1 }).length > 0) continue;
      for (let from = s; from <= e; ) {
        const b = store.read(options.input.path, { start: from, end: e + 1, maxRows: blockRows });
        if (b.timestamps.length === 0) break;
        await feed.write(b);
        last = b.timestamps[b.timestamps.length - 1]!;
        from = last + 1;
      }
      await feed.closeInterval();
    }
    for (;;) {
      let b: Awaited<ReturnType<LocalPipe['read']>>;
      try {
        b = await live.read();
      } catch (e) {
        if ((e as TwinstreamError).code === 'TS_PIPE_EMPTY') break;
        throw e;
      }
      // Rows the history already carried come again through the live tail: skip them by timestamp.
      let k = 0;
      while (k < b.timestamps.length && b.timestamps[k]! <= last) k++;
      const w = layout.width;
      if (k < b.timestamps.length) {
        await feed.write({ timestamps: b.timestamps.subarray(k), data: b.data.subarray(k * w) });
        last = b.timestamps[b.timestamps.length - 1]!;
      }
      const eoi = live.endOfInterval;
      live.consume(b.timestamps.length);
      if (eoi) await feed.closeInterval();
    }
    await feed.close();
  })();
  const writer = new StoredStreamWriter(store, options.output.path);
  await Promise.all([
    feeding,
    runModule(module, {
      inputs: { [options.input.name]: feed },
      outputs: { [options.output.name]: writer },
      args: options.args,
      signal: options.signal,
    }),
  ]);
}
