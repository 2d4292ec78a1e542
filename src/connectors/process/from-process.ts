import { Stream, type StreamOptions } from '../../core/stream.ts';
import { type FromProcessOptions, ProcessSource } from './process-source.ts';

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * The lines a command writes to its stdout, as strings (or JSON values with `value: 'json'`); the source ends
     * when the command exits, and `source.exit` holds its code (a non-zero code fails `done`).
     * @example
     * const source = Stream.fromProcess('sh', ['-c', 'echo a; echo b']);
     * source.sink(console.log); // a, then b
     * source.start();
     * await source.done;
     */
    function fromProcess<T = string>(
      command: string,
      args?: readonly string[],
      options?: FromProcessOptions,
      streamOptions?: StreamOptions,
    ): ProcessSource<T>;
  }
}

Object.assign(Stream, {
  fromProcess<T>(
    command: string,
    args: readonly string[] = [],
    options: FromProcessOptions = {},
    streamOptions: StreamOptions = {},
  ) {
    return new ProcessSource<T>(command, args, options, streamOptions);
  },
});
