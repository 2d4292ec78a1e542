import { badArgument } from '../../errors.ts';
import type { InputPipe, OutputPipe } from '../pipe.ts';
import { blocksOf, finishBlock, oneInOneOut } from './filter-loop.ts';
import { FilterModule, type ModuleContext } from './pipe-module.ts';

/**
 * Decimation as Joule keeps it: every `factor` rows (argument, default 4) become one row of `3 × width` values,
 * the means, then the minimums, then the maximums, at the timestamp of the group's first row. Input `in`, output
 * `out` (layout `float64_<3 × width>` or `float32_…`). Chained, it makes the ×4 levels a chart reads from.
 *
 * @example
 * import { DecimateFilter, LocalPipe, runModule } from 'twinstream/pipes';
 * const input = new LocalPipe({ layout: 'float32_1' });
 * const out = new LocalPipe({ layout: 'float64_3' });
 * const done = runModule(new DecimateFilter(), { inputs: { in: input }, outputs: { out }, args: { factor: '2' } });
 * await input.write([[1, 1], [2, 3]]);
 * await input.close();
 * await done;
 * (await out.read()).data; // Float64Array [2, 1, 3]
 */
export class DecimateFilter extends FilterModule {
  override readonly defaults = { factor: '4' };

  async run(
    inputs: Readonly<Record<string, InputPipe>>,
    outputs: Readonly<Record<string, OutputPipe>>,
    ctx: ModuleContext,
  ): Promise<void> {
    const { input, output, n: factor } = oneInOneOut('DecimateFilter', inputs, outputs, ctx, 'factor', 2);
    const w = input.layout.width;
    if (output.layout.width !== 3 * w) {
      badArgument('DecimateFilter', 'outputs.out', output.layout.name, `a layout of width ${3 * w} (mean, min, max)`);
    }
    for await (const b of blocksOf(input, ctx)) {
      const groups = Math.floor(b.timestamps.length / factor);
      if (groups > 0) {
        const ts = new Float64Array(groups);
        const out = new output.layout.DataArray(groups * 3 * w) as Float64Array;
        const src = b.data as Float64Array;
        for (let g = 0; g < groups; g++) {
          ts[g] = b.timestamps[g * factor]!;
          for (let j = 0; j < w; j++) {
            let sum = 0;
            let min = Number.POSITIVE_INFINITY;
            let max = Number.NEGATIVE_INFINITY;
            for (let i = g * factor; i < (g + 1) * factor; i++) {
              const v = Number(src[i * w + j]);
              sum += v;
              if (v < min) min = v;
              if (v > max) max = v;
            }
            out[g * 3 * w + j] = sum / factor;
            out[g * 3 * w + w + j] = min;
            out[g * 3 * w + 2 * w + j] = max;
          }
        }
        await output.write({ timestamps: ts, data: out });
      }
      // A partial group waits for more rows, unless the interval ends: then it is dropped, as Joule does.
      await finishBlock(input, output, b.timestamps.length, groups * factor);
    }
  }
}
