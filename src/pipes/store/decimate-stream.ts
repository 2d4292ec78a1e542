import type { Block } from '../block.ts';
import type { StreamStore, TimeRange } from './stream-store.ts';

/**
 * Where a decimation level of `path` is kept: `/a/b~4`, `/a/b~16`, …
 *
 * @example
 * levelPath('/plant/power', 16); // '/plant/power~16'
 */
export const levelPath = (path: string, factor: number): string => `${path}~${factor}`;

/**
 * Builds the decimation levels of a stored stream, as Joule keeps them: level 1 holds, for every 4 rows of an
 * interval, one row of `3 × width` values (means, minimums, maximums) at the group's first timestamp; each next
 * level does the same to the one before (mean of means, min of mins, max of maxes), until a level has fewer than
 * `factor` rows. Rebuilt from the raw rows each time. Returns the factors built.
 *
 * @example
 * import { decimateStream, StreamStore } from 'twinstream/pipes';
 * const store = await StreamStore.open({ path: './data' });
 * decimateStream(store, '/plant/power'); // [4, 16, 64, …]
 */
export function decimateStream(store: StreamStore, path: string, options: { factor?: number } = {}): number[] {
  const factor = options.factor ?? 4;
  const w = store.layout(path).width;
  const built: number[] = [];
  let source = path;
  let first = true;
  for (let f = factor; ; f *= factor) {
    const target = levelPath(path, f);
    store.createStream(target, `float64_${3 * w}`);
    store.remove(target);
    let rows = 0;
    for (const [s, e] of store.intervals(source)) {
      const b = store.read(source, { start: s, end: e + 1, maxRows: Number.MAX_SAFE_INTEGER });
      const out = level(b, w, factor, first);
      if (out.timestamps.length > 0) store.insert(target, out);
      rows += out.timestamps.length;
    }
    if (rows === 0) break;
    built.push(f);
    if (rows < factor) break;
    source = target;
    first = false;
  }
  return built;
}

function level(b: Block, w: number, factor: number, raw: boolean): Block {
  const groups = Math.floor(b.timestamps.length / factor);
  const timestamps = new Float64Array(groups);
  const data = new Float64Array(groups * 3 * w);
  const src = b.data as Float64Array;
  // Raw rows have `w` values; a level's rows have 3w (means, mins, maxes).
  const stride = raw ? w : 3 * w;
  for (let g = 0; g < groups; g++) {
    timestamps[g] = b.timestamps[g * factor]!;
    for (let j = 0; j < w; j++) {
      let sum = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = g * factor; i < (g + 1) * factor; i++) {
        const mean = Number(src[i * stride + j]);
        const lo = raw ? mean : Number(src[i * stride + w + j]);
        const hi = raw ? mean : Number(src[i * stride + 2 * w + j]);
        sum += mean;
        if (lo < min) min = lo;
        if (hi > max) max = hi;
      }
      data[g * 3 * w + j] = sum / factor;
      data[g * 3 * w + w + j] = min;
      data[g * 3 * w + 2 * w + j] = max;
    }
  }
  return { timestamps, data };
}

/**
 * Reads `[start, end)` of a stream for a chart: the raw rows when there are at most `maxRows`, else the first
 * decimation level that fits. Returns the rows and the factor (1 for raw rows).
 *
 * @example
 * import { readDecimated, StreamStore } from 'twinstream/pipes';
 * const store = await StreamStore.open({ path: './data' });
 * const { factor, block } = readDecimated(store, '/plant/power', { maxRows: 2000 });
 */
export function readDecimated(
  store: StreamStore,
  path: string,
  options: TimeRange & { maxRows?: number; factor?: number } = {},
): { factor: number; block: Block } {
  const maxRows = options.maxRows ?? 10_000;
  const factor = options.factor ?? 4;
  const raw = store.read(path, { ...options, maxRows: maxRows + 1 });
  if (raw.timestamps.length <= maxRows) return { factor: 1, block: raw };
  let last: { factor: number; block: Block } = { factor: 1, block: raw };
  for (let f = factor; ; f *= factor) {
    let b: Block;
    try {
      b = store.read(levelPath(path, f), { ...options, maxRows: maxRows + 1 });
    } catch {
      return last;
    }
    last = { factor: f, block: b };
    if (b.timestamps.length <= maxRows) return last;
  }
}
