import type { Database, RootDatabase } from 'lmdb';
import { badArgument, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { type Block, type BlockInput, toBlock } from '../block.ts';
import { type Layout, parseLayout } from '../layout.ts';
import type { OutputPipe } from '../pipe.ts';
import { decodeChunk, encodeChunk } from './chunk-codec.ts';

/** A time range in integer microseconds: `start` included, `end` excluded (as Joule). */
export interface TimeRange {
  readonly start?: number;
  readonly end?: number;
}

const MIN = -9e15;
const MAX = 9e15;
const CHUNK_ROWS = 65_536;
const PATH = /^(\/[A-Za-z0-9_.~-]+)+$/;

/**
 * Streams kept on disk (lmdb) by path, each with its layout and its intervals (the stretches with data): what
 * jouled keeps in its database. `insert` refuses rows that overlap stored data, naming the range; `read` returns a
 * time range; `remove` cuts one out; `decimate` keeps min/mean/max levels (×4 each) so a long stream reads back as
 * a chart quickly. Pipes meet the store through `writer(path)` and `subscribe(path, pipe)` (the live tail).
 *
 * @example
 * import { StreamStore } from 'twinstream/pipes';
 * const store = await StreamStore.open({ path: './data' });
 * store.createStream('/plant/line_a/power', 'float32_1');
 * store.insert('/plant/line_a/power', [[1_000_000, 4.2], [2_000_000, 4.3]]);
 * store.intervals('/plant/line_a/power'); // [[1000000, 2000000]]
 * await store.close();
 */
export class StreamStore {
  readonly #root: RootDatabase;
  readonly #streams: Database<{ layout: string }, string>;
  readonly #chunks: Database<Uint8Array, [string, number]>;
  readonly #intervals: Database<number, [string, number]>;
  readonly #live = new Map<string, Set<OutputPipe>>();
  /** Per stream, the last interval's start when the next insert may continue it. */
  readonly #open = new Map<string, number>();

  private constructor(root: RootDatabase) {
    this.#root = root;
    this.#streams = root.openDB({ name: 'streams' });
    this.#chunks = root.openDB({ name: 'chunks', encoding: 'binary' }) as any;
    this.#intervals = root.openDB({ name: 'intervals' });
  }

  /** Opens (or creates) a store in the directory `path`. */
  static async open(options: { path: string }): Promise<StreamStore> {
    if (typeof options?.path !== 'string' || options.path === '') {
      badArgument('StreamStore.open', 'path', options?.path, 'a directory path');
    }
    const { open } = await importOptional('lmdb', 'StreamStore', () => import('lmdb'));
    return new StreamStore(open({ path: options.path, maxDbs: 8, compression: false }));
  }

  close(): Promise<void> {
    return this.#root.close();
  }

  /** Creates a stream (or checks an existing one has this layout). */
  createStream(path: string, layout: string): Layout {
    if (!PATH.test(path)) badArgument('StreamStore.createStream', 'path', path, 'a path like "/plant/line_a/power"');
    const l = parseLayout(layout);
    const had = this.#streams.get(path);
    if (had !== undefined && had.layout !== l.name) {
      throw new TwinstreamError('TS_STORE_LAYOUT', `stream ${path} has layout ${had.layout}, not ${l.name}`);
    }
    if (had === undefined) this.#streams.putSync(path, { layout: l.name });
    return l;
  }

  /** The layout of a stream; throws `TS_STORE_NO_STREAM` when there is none. */
  layout(path: string): Layout {
    const s = this.#streams.get(path);
    if (s === undefined) throw new TwinstreamError('TS_STORE_NO_STREAM', `no stream ${path} in the store`);
    return parseLayout(s.layout);
  }

  /**
   * Stores a block. Refused whole (`TS_STORE_OVERLAP`, naming both ranges) if any of it falls in a stored interval.
   * With `continueInterval` the rows extend the stream's last interval (a pipe writing without a break), otherwise
   * they start a new one.
   */
  insert(path: string, input: BlockInput, options: { continueInterval?: boolean } = {}): void {
    const layout = this.layout(path);
    const block = toBlock(layout, input, Number.NEGATIVE_INFINITY, `insert into ${path}`);
    const n = block.timestamps.length;
    if (n === 0) return;
    const first = block.timestamps[0]!;
    const last = block.timestamps[n - 1]!;
    let newInterval = true;
    this.#root.transactionSync(() => {
      const before = this.#lastIntervalFrom(path, last);
      if (before !== undefined && before.end >= first) {
        throw new TwinstreamError(
          'TS_STORE_OVERLAP',
          `insert into ${path}: rows ${first}..${last} overlap the stored interval ${before.start}..${before.end}; ` +
            'remove that range first or insert later data',
          { context: { path, first, last, stored: [before.start, before.end] } },
        );
      }
      const cont = options.continueInterval === true && before !== undefined && this.#open.get(path) === before.start;
      if (cont) this.#intervals.putSync([path, before.start], last);
      else this.#intervals.putSync([path, first], last);
      newInterval = !cont;
      this.#open.set(path, cont ? before.start : first);
      for (let at = 0; at < n; at += CHUNK_ROWS) {
        const to = Math.min(n, at + CHUNK_ROWS);
        const w = layout.width;
        const part = { timestamps: block.timestamps.subarray(at, to), data: block.data.subarray(at * w, to * w) };
        this.#chunks.putSync([path, block.timestamps[at]!], encodeChunk(part));
      }
    });
    for (const pipe of this.#live.get(path) ?? []) {
      if (newInterval) pipe.closeInterval();
      pipe.write(block);
    }
  }

  /** Rows of `path` in `[start, end)`, at most `maxRows` (default 1,000,000): read on from the last timestamp + 1. */
  read(path: string, range: TimeRange & { maxRows?: number } = {}): Block {
    const layout = this.layout(path);
    const start = range.start ?? MIN;
    const end = range.end ?? MAX;
    const maxRows = range.maxRows ?? 1_000_000;
    const parts: Block[] = [];
    let rows = 0;
    // The chunk that may hold `start` begins at or before it.
    let from = start;
    for (const { key } of this.#chunks.getRange({ start: [path, start], end: [path, MIN], reverse: true, limit: 1 })) {
      from = key[1];
    }
    for (const { value } of this.#chunks.getRange({ start: [path, from], end: [path, end] })) {
      const c = decodeChunk(layout, value);
      const lo = lowerBound(c.timestamps, start);
      const hi = Math.min(lowerBound(c.timestamps, end), lo + maxRows - rows);
      if (hi > lo) {
        parts.push({
          timestamps: c.timestamps.subarray(lo, hi),
          data: c.data.subarray(lo * layout.width, hi * layout.width),
        });
        rows += hi - lo;
      }
      if (rows >= maxRows) break;
    }
    const timestamps = new Float64Array(rows);
    const data = new layout.DataArray(rows * layout.width);
    let at = 0;
    for (const p of parts) {
      timestamps.set(p.timestamps, at);
      (data as Float64Array).set(p.data as Float64Array, at * layout.width);
      at += p.timestamps.length;
    }
    return { timestamps, data };
  }

  /** The stored intervals `[first, last]` (timestamps of their first and last rows) meeting `[start, end)`. */
  intervals(path: string, range: TimeRange = {}): [number, number][] {
    this.layout(path);
    const start = range.start ?? MIN;
    const end = range.end ?? MAX;
    const out: [number, number][] = [];
    const before = this.#lastIntervalFrom(path, start);
    if (before !== undefined && before.end >= start && before.start < start) out.push([before.start, before.end]);
    for (const { key, value } of this.#intervals.getRange({ start: [path, start], end: [path, end] })) {
      out.push([key[1], value]);
    }
    return out;
  }

  /** Removes the rows in `[start, end)`; intervals are cut around the gap. */
  remove(path: string, range: TimeRange = {}): void {
    const layout = this.layout(path);
    const start = range.start ?? MIN;
    const end = range.end ?? MAX;
    const touched = this.intervals(path, { start, end });
    this.#root.transactionSync(() => {
      // Every chunk of the stream is looked at: fine for occasional removals, not for a hot path.
      const chunks = [...this.#chunks.getRange({ start: [path, MIN], end: [path, MAX] })].filter(({ value }) => {
        const c = decodeChunk(layout, value);
        const n = c.timestamps.length;
        return n > 0 && c.timestamps[n - 1]! >= start && c.timestamps[0]! < end;
      });
      for (const { key, value } of chunks) {
        const c = decodeChunk(layout, value);
        this.#chunks.removeSync(key);
        const w = layout.width;
        const lo = lowerBound(c.timestamps, start);
        const hi = lowerBound(c.timestamps, end);
        if (lo > 0) {
          this.#chunks.putSync(
            [path, c.timestamps[0]!],
            encodeChunk({ timestamps: c.timestamps.subarray(0, lo), data: c.data.subarray(0, lo * w) }),
          );
        }
        if (hi < c.timestamps.length) {
          this.#chunks.putSync(
            [path, c.timestamps[hi]!],
            encodeChunk({ timestamps: c.timestamps.subarray(hi), data: c.data.subarray(hi * w) }),
          );
        }
      }
      for (const [s, e] of touched) {
        this.#intervals.removeSync([path, s]);
        if (s < start) this.#intervals.putSync([path, s], start - 1);
        if (e >= end) this.#intervals.putSync([path, end], e);
      }
      this.#open.delete(path);
    });
  }

  /** Every later insert into `path` is copied to `pipe` (a new interval as a break); returns the unsubscribe. */
  subscribe(path: string, pipe: OutputPipe): () => void {
    this.layout(path);
    let set = this.#live.get(path);
    if (set === undefined) this.#live.set(path, (set = new Set()));
    set.add(pipe);
    return () => set.delete(pipe);
  }

  /** The interval with the greatest start at or before `ts`. */
  #lastIntervalFrom(path: string, ts: number): { start: number; end: number } | undefined {
    for (const { key, value } of this.#intervals.getRange({
      start: [path, ts],
      end: [path, MIN],
      reverse: true,
      limit: 1,
    })) {
      if (key[0] === path) return { start: key[1], end: value };
    }
    return undefined;
  }
}

/** The first index whose timestamp is >= t. */
function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
