// The command line, as a library: build the program to embed or test it.

export * from './program.ts';
