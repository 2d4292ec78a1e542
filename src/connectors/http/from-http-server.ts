import { Stream, type StreamOptions } from '../../core/stream.ts';
import { type HttpServerOptions, HttpServerSource } from './http-server-source.ts';

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * An HTTP server (127.0.0.1 by default) whose POSTed JSON or NDJSON bodies become elements, answered 202 once
     * the graph is done with them, 503 with `Retry-After` when the pipeline is full.
     * @example
     * const source = Stream.fromHttpServer({ port: 8080, path: '/ingest' });
     * source.sink(console.log);
     * source.start();
     */
    function fromHttpServer<T = unknown>(
      options?: HttpServerOptions,
      streamOptions?: StreamOptions,
    ): HttpServerSource<T>;
  }
}

Object.assign(Stream, {
  fromHttpServer<T>(options: HttpServerOptions = {}, streamOptions: StreamOptions = {}) {
    return new HttpServerSource<T>(options, streamOptions);
  },
});
