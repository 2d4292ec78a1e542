import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TwinstreamError } from '../errors.ts';

/**
 * Makes sure `dir` exists (or, with `create: false`, could be made) and may be written, before a command starts work that would fail later in a writer:
 * throws `TS_CLI_BAD_OUT` naming the folder and the reason (`EACCES`, `ENOTDIR`, …) otherwise. Returns the
 * absolute path.
 *
 * @example
 * const out = outputFolder('twinstream-out'); // '/home/me/twinstream-out'
 * @internal
 */
export function outputFolder(dir: string, options: { create?: boolean } = {}): string {
  const path = resolve(dir);
  try {
    if (options.create === false) {
      // Checked, not made: the nearest folder that exists must be a folder we may write into.
      let existing = path;
      while (!exists(existing) && dirname(existing) !== existing) existing = dirname(existing);
      if (!statSync(existing).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      accessSync(existing, constants.W_OK);
    } else {
      mkdirSync(path, { recursive: true });
      accessSync(path, constants.W_OK);
    }
  } catch (error) {
    throw new TwinstreamError(
      'TS_CLI_BAD_OUT',
      `cannot write to the output folder ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give --out a folder you may write to`,
      { cause: error, context: { out: path } },
    );
  }
  return path;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
