import { readFile } from 'node:fs/promises';
import { TwinstreamError } from '../errors.ts';

/** A CSV file's columns, every cell as the text it has. */
export interface CsvTextColumns {
  /** The header row's names, in file order. */
  names: string[];
  /** Per column (in `names` order): its cells. */
  cols: unknown[][];
}

/**
 * @internal Reads a CSV file with a header row, every column as text: the caller converts the cells, so one bad
 * cell cannot change a column's inferred type. A file that cannot be read or parsed is `TS_SIM_BAD_DATA`.
 *
 * @example
 * const { names, cols } = await csvTextColumns('packing.csv');
 */
export async function csvTextColumns(file: string): Promise<CsvTextColumns> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TwinstreamError('TS_SIM_BAD_DATA', `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const { inferSchema, initParser } = await import('udsv');
  try {
    const schema = inferSchema(text, { trim: true });
    const names = schema.cols.map((c: { name: string }) => c.name);
    for (const c of schema.cols) (c as { type: string }).type = 's';
    return { names, cols: initParser(schema).stringCols(text) as unknown[][] };
  } catch (error) {
    throw new TwinstreamError(
      'TS_SIM_BAD_DATA',
      `${file} is not a CSV file with a header row: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
