import { ERROR_CODES } from '../error-codes.ts';

/**
 * What the `twinstream` command's exit code means (docs/cli.md lists them):
 * - `0` done;
 * - `1` the input was refused: a bad option, model, file or output folder (the message on stderr says which and
 *   what is accepted); running again unchanged will fail again;
 * - `2` an unexpected error: a bug in twinstream, printed with its stack (please report it);
 * - `3` something outside the program failed (a broker away, a timeout): running again may succeed;
 * - `130` interrupted (Ctrl-C); files being written are not left behind half-written by `demo`.
 *
 * @example
 * import { EXIT_CODES } from 'twinstream/cli';
 * EXIT_CODES.refused; // 1
 */
export const EXIT_CODES = { ok: 0, refused: 1, unexpected: 2, retriable: 3, interrupted: 130 } as const;

/**
 * The exit code for an error a command ended with: `refused` for a `TwinstreamError` whose code cannot succeed on
 * a retry, `retriable` for one that can, `unexpected` for anything else.
 *
 * @example
 * exitCodeOf(new TwinstreamError('TS_KAFKA_TIMEOUT', 'no broker')); // 3
 * @internal
 */
export function exitCodeOf(error: { code?: unknown } | null | undefined, isTwinstream: boolean): number {
  if (!isTwinstream) return EXIT_CODES.unexpected;
  const code = error?.code as keyof typeof ERROR_CODES | undefined;
  return code !== undefined && ERROR_CODES[code]?.retriable === true ? EXIT_CODES.retriable : EXIT_CODES.refused;
}
