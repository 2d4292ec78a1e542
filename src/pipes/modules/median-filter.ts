import type { InputPipe, OutputPipe } from '../pipe.ts';
import { blocksOf, finishBlock, oneInOneOut } from './filter-loop.ts';
import { FilterModule, type ModuleContext } from './pipe-module.ts';

/**
 * Moving median over `window` rows (argument `window`, default 5), column by column, from input `in` to output
 * `out` (same width), at the timestamp of each window's last row. Like `MeanFilter`, it keeps the last
 * `window - 1` rows of a read unconsumed, and a window never spans an interval break.
 *
 * @example
 * import { LocalPipe, MedianFilter, runModule } from 'twinstream/pipes';
 * const input = new LocalPipe({ layout: 'float32_1' });
 * const out = new LocalPipe({ layout: 'float64_1' });
 * const done = runModule(new MedianFilter(), { inputs: { in: input }, outputs: { out }, args: { window: '3' } });
 * await input.write([[1, 1], [2, 9], [3, 2], [4, 3]]);
 * await input.close();
 * await done;
 * (await out.read()).data; // Float64Array [2, 3]
 */
export class MedianFilter extends FilterModule {
  override readonly defaults = { window: '5' };

  async run(
    inputs: Readonly<Record<string, InputPipe>>,
    outputs: Readonly<Record<string, OutputPipe>>,
    ctx: ModuleContext,
  ): Promise<void> {
    const { input, output, n: window } = oneInOneOut('MedianFilter', inputs, outputs, ctx, 'window', 1);
    const w = input.layout.width;
    const scratch = new Float64Array(window);
    for await (const b of blocksOf(input, ctx)) {
      const n = b.timestamps.length;
      const m = n - window + 1;
      if (m > 0) {
        const data = new output.layout.DataArray(m * w) as Float64Array;
        const src = b.data as ArrayLike<number | bigint>;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < w; j++) {
            for (let k = 0; k < window; k++) scratch[k] = Number(src[(i + k) * w + j]);
            scratch.sort();
            const h = window >> 1;
            data[i * w + j] = window % 2 === 1 ? scratch[h]! : (scratch[h - 1]! + scratch[h]!) / 2;
          }
        }
        await output.write({ timestamps: b.timestamps.slice(window - 1), data });
      }
      await finishBlock(input, output, n, Math.max(0, m));
    }
  }
}
