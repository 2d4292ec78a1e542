// The command line, as a library: build the program to embed or test it. Re-exports only, by name.

export type { CliOutput } from './program.ts';
export { cliProgram } from './program.ts';
