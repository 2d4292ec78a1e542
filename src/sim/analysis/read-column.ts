import { TwinstreamError } from '../../errors.ts';
import { csvTextColumns } from '../csv-text-columns.ts';

/** The numbers of one CSV column, and how many of its cells were not numbers (empty, text). */
export interface CsvColumn {
  values: Float64Array;
  skipped: number;
}

/**
 * Reads one numeric column of a CSV file with a header row (parsed by udsv: quotes, any of `,;|` and tab as
 * delimiter). Cells that are not finite numbers are skipped and counted. A missing file or column throws
 * `TS_SIM_BAD_DATA` naming the columns there are.
 *
 * @example
 * const { values } = await readCsvColumn('packing.csv', 'seconds');
 */
export async function readCsvColumn(file: string, column: string): Promise<CsvColumn> {
  const { names, cols } = await csvTextColumns(file);
  const index = names.indexOf(column);
  if (index < 0) {
    throw new TwinstreamError(
      'TS_SIM_BAD_DATA',
      `${file} has no column "${column}"; its columns are: ${names.join(', ')}`,
      { context: { file, column, columns: names } },
    );
  }
  const cells = cols[index] ?? [];
  const values: number[] = [];
  let skipped = 0;
  for (const cell of cells) {
    const s = String(cell ?? '').trim();
    const v = s === '' ? Number.NaN : Number(s);
    if (Number.isFinite(v)) values.push(v);
    else skipped++;
  }
  return { values: Float64Array.from(values), skipped };
}
