import { Stream, type StreamOptions } from '../../core/stream.ts';
import { type FromTcpOptions, TcpSource } from './tcp-source.ts';

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A TCP server (127.0.0.1 by default) whose clients' lines, or NDJSON values, become elements.
     * @example
     * const source = Stream.fromTcp({ port: 7000, framing: 'ndjson' });
     * source.sink(console.log);
     * source.start();
     */
    function fromTcp<T = unknown>(options?: FromTcpOptions, streamOptions?: StreamOptions): TcpSource<T>;
  }
}

Object.assign(Stream, {
  fromTcp<T>(options: FromTcpOptions = {}, streamOptions: StreamOptions = {}) {
    return new TcpSource<T>(options, streamOptions);
  },
});
