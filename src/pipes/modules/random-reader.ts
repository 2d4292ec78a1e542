import { badArgument } from '../../errors.ts';
import type { OutputPipe } from '../pipe.ts';
import { type ModuleContext, ReaderModule } from './pipe-module.ts';

/**
 * Writes `rows` rows (argument, default 1000) of seeded random values in [0, 1), `block` rows at a time (default
 * 100), timestamps from `start` every `step` µs (defaults 0 and 1000). The same `seed` gives the same data.
 *
 * @example
 * import { LocalPipe, RandomReader, runModule } from 'twinstream/pipes';
 * const out = new LocalPipe({ layout: 'float64_2' });
 * await runModule(new RandomReader(), { outputs: { out }, args: { rows: '10', seed: '7' } });
 * (await out.read()).timestamps.length; // 10
 */
export class RandomReader extends ReaderModule {
  override readonly defaults = { rows: '1000', block: '100', start: '0', step: '1000', seed: '1' };

  async run(output: OutputPipe, ctx: ModuleContext): Promise<void> {
    const a = ctx.args;
    const num = (name: string, min: number): number => {
      const v = Number(a[name]);
      if (!Number.isInteger(v) || v < min) badArgument('RandomReader', name, a[name], `an integer >= ${min}`);
      return v;
    };
    const rows = num('rows', 0);
    const block = num('block', 1);
    const step = num('step', 1);
    const start = Number(a.start);
    let seed = num('seed', 0);
    // mulberry32: small, seeded, the same sequence on every platform.
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const w = output.layout.width;
    for (let at = 0; at < rows && !ctx.signal.aborted; at += block) {
      const n = Math.min(block, rows - at);
      const timestamps = new Float64Array(n);
      const data = new output.layout.DataArray(n * w) as Float64Array;
      for (let i = 0; i < n; i++) {
        timestamps[i] = start + (at + i) * step;
        for (let j = 0; j < w; j++) data[i * w + j] = random();
      }
      await output.write({ timestamps, data });
    }
  }
}
