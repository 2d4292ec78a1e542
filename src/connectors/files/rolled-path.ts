import { extname } from 'node:path';

/**
 * The name of the `n`th file a rolling writer opens after the first: the number goes before the extension.
 * @internal
 * @example
 * rolledPath('data/a.parquet', 2); // 'data/a-2.parquet'
 */
export function rolledPath(path: string, n: number): string {
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}-${n}${ext}`;
}
