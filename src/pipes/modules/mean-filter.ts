import type { InputPipe, OutputPipe } from '../pipe.ts';
import { blocksOf, finishBlock, oneInOneOut } from './filter-loop.ts';
import { FilterModule, type ModuleContext } from './pipe-module.ts';

/**
 * Moving average over `window` rows (argument `window`, default 4), column by column, from input `in` to output `out`
 * (same width). A row comes out at the timestamp of the last row of each full window; the last `window - 1` rows of
 * every read stay unconsumed to start the next window, and a window never spans an interval break.
 *
 * @example
 * import { LocalPipe, MeanFilter, runModule } from 'twinstream/pipes';
 * const input = new LocalPipe({ layout: 'float32_1' });
 * const out = new LocalPipe({ layout: 'float64_1' });
 * const done = runModule(new MeanFilter(), { inputs: { in: input }, outputs: { out }, args: { window: '2' } });
 * await input.write([[1, 1], [2, 3], [3, 5]]);
 * await input.close();
 * await done;
 * (await out.read()).data; // Float64Array [2, 4]
 */
export class MeanFilter extends FilterModule {
  override readonly defaults = { window: '4' };

  async run(
    inputs: Readonly<Record<string, InputPipe>>,
    outputs: Readonly<Record<string, OutputPipe>>,
    ctx: ModuleContext,
  ): Promise<void> {
    const { input, output, n: window } = oneInOneOut('MeanFilter', inputs, outputs, ctx, 'window', 1);
    const w = input.layout.width;
    for await (const b of blocksOf(input, ctx)) {
      const n = b.timestamps.length;
      const m = n - window + 1;
      if (m > 0) {
        const ts = b.timestamps.slice(window - 1);
        const data = new output.layout.DataArray(m * w) as Float64Array;
        const src = b.data as Float64Array;
        // Each window summed afresh, in row order: the same numbers however the rows were split into reads (a
        // running sum would round differently depending on where a read starts).
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < w; j++) {
            let sum = 0;
            for (let k = i; k < i + window; k++) sum += Number(src[k * w + j]);
            data[i * w + j] = sum / window;
          }
        }
        await output.write({ timestamps: ts, data });
      }
      await finishBlock(input, output, n, Math.max(0, m));
    }
  }
}
