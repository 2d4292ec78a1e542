#!/usr/bin/env node
// The `twinstream` executable (package.json "bin"): runs the command line and turns errors into a message on
// stderr and an exit code that says what kind of failure it was (EXIT_CODES, docs/cli.md). Works as
// dist/cli/main.js and, in development, as `node src/cli/main.ts`.
import { closeAllFiles } from '../connectors/files/close-on-signal.ts';
import { TwinstreamError } from '../errors.ts';
import { EXIT_CODES, exitCodeOf } from './exit-codes.ts';
import { cliProgram } from './program.ts';

// Ctrl-C: say so, finish the files being written (Parquet footers, renames from temporary names), and exit with
// the conventional 128 + SIGINT; commands clean up on 'exit' (the demo removes its temporary files), so nothing
// half-written stays behind under a final name.
process.once('SIGINT', () => {
  console.error('\ntwinstream: interrupted');
  void closeAllFiles().finally(() => process.exit(EXIT_CODES.interrupted));
});

try {
  await cliProgram()
    .exitOverride((e) => {
      throw e;
    })
    .parseAsync(process.argv);
} catch (error) {
  const e = error as { code?: string; exitCode?: number; message?: string };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
    // commander printed its own message (or help, or the version).
    process.exitCode = e.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.refused;
  } else if (error instanceof TwinstreamError) {
    console.error(`twinstream: ${error.message}`);
    process.exitCode = exitCodeOf(error, true);
  } else {
    console.error('twinstream: unexpected error (a bug: please report it with what follows)');
    console.error(error);
    process.exitCode = exitCodeOf(null, false);
  }
}
