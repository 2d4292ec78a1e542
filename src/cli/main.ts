#!/usr/bin/env node
// The `twinstream` executable (package.json "bin"): runs the command line and turns errors into a message on
// stderr and a non-zero exit code. Works as dist/cli/main.js and, in development, as `node src/cli/main.ts`.
import { TwinstreamError } from '../errors.ts';
import { cliProgram } from './program.ts';

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
    process.exitCode = e.exitCode ?? 1;
  } else if (error instanceof TwinstreamError) {
    console.error(`twinstream: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error('twinstream: unexpected error');
    console.error(error);
    process.exitCode = 2;
  }
}
