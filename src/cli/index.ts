// The command line, as a library: build the program to embed or test it. Re-exports only, by name.

export { DEMO_MODEL } from './demo/demo-model.ts';
export type { DemoOptions, DemoProgress, DemoSummary, DemoWindow } from './demo/run-demo.ts';
export { runDemo } from './demo/run-demo.ts';
export { EXIT_CODES } from './exit-codes.ts';
export type { CliOutput } from './program.ts';
export { cliProgram } from './program.ts';
