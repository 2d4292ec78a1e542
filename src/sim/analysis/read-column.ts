import { readFile } from 'node:fs/promises';
import { TwinstreamError } from '../../errors.ts';

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
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TwinstreamError('TS_SIM_BAD_DATA', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const { inferSchema, initParser } = await import('udsv');
  let cols: unknown[][];
  let names: string[];
  try {
    const schema = inferSchema(text, { trim: true });
    names = schema.cols.map((c: { name: string }) => c.name);
    // Every column as text: the cells are converted here, so one bad cell cannot change a column's inferred type.
    for (const c of schema.cols) (c as { type: string }).type = 's';
    cols = initParser(schema).stringCols(text) as unknown[][];
  } catch (error) {
    throw new TwinstreamError(
      'TS_SIM_BAD_DATA',
      `${file} is not a CSV file with a header row: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
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
