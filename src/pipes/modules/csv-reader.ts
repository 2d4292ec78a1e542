import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { badArgument, TwinstreamError } from '../../errors.ts';
import type { OutputPipe } from '../pipe.ts';
import { type ModuleContext, ReaderModule } from './pipe-module.ts';

/**
 * Reads a CSV file (argument `file`) of rows `timestamp,v1,v2,…` (timestamps in µs, one value per column of the
 * output's layout) into its output, `block` rows at a time (default 10,000). Empty lines and lines starting with
 * `#` are skipped; `header=1` skips the first line. A malformed line stops it with an error naming the line.
 *
 * @example
 * import { CsvReader, LocalPipe, runModule } from 'twinstream/pipes';
 * const out = new LocalPipe({ layout: 'float64_2' });
 * await runModule(new CsvReader(), { outputs: { out }, args: { file: 'power.csv', header: '1' } });
 */
export class CsvReader extends ReaderModule {
  override readonly defaults = { block: '10000', header: '0' };

  async run(output: OutputPipe, ctx: ModuleContext): Promise<void> {
    const file = ctx.args.file;
    if (file === undefined || file === '') badArgument('CsvReader', 'file', file, 'the path of a CSV file');
    const block = Number(ctx.args.block);
    if (!Number.isInteger(block) || block < 1) badArgument('CsvReader', 'block', ctx.args.block, 'an integer >= 1');
    const w = output.layout.width;
    let ts = new Float64Array(block);
    let data = new output.layout.DataArray(block * w) as Float64Array;
    let n = 0;
    const flush = async () => {
      if (n === 0) return;
      await output.write({ timestamps: ts.subarray(0, n), data: data.subarray(0, n * w) });
      // The pipe copied them, but a subscriber may hold the arrays: start fresh ones.
      ts = new Float64Array(block);
      data = new output.layout.DataArray(block * w) as Float64Array;
      n = 0;
    };
    let line = 0;
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const text of lines) {
      line++;
      if (ctx.signal.aborted) break;
      if ((line === 1 && ctx.args.header === '1') || text.trim() === '' || text.startsWith('#')) continue;
      const cells = text.split(',');
      if (cells.length !== w + 1) {
        throw new TwinstreamError(
          'TS_PIPE_BAD_BLOCK',
          `${file}:${line}: ${cells.length} fields; layout ${output.layout.name} needs ${w + 1} (timestamp + ${w})`,
        );
      }
      for (let j = 0; j <= w; j++) {
        const v = Number(cells[j]);
        if (cells[j]!.trim() === '' || Number.isNaN(v)) {
          throw new TwinstreamError(
            'TS_PIPE_BAD_BLOCK',
            `${file}:${line}: field ${j + 1} "${cells[j]}" is not a number`,
          );
        }
        if (j === 0) ts[n] = v;
        else data[n * w + j - 1] = v;
      }
      if (++n === block) await flush();
    }
    await flush();
  }
}
