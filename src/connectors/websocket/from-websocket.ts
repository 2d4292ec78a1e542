import { Stream, type StreamOptions } from '../../core/stream.ts';
import { type WebSocketServerOptions, WebSocketServerSource } from './websocket-server-source.ts';
import { type FromWebSocketOptions, WebSocketSource } from './websocket-source.ts';

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A WebSocket server (127.0.0.1 by default) whose clients' messages become elements.
     * @example
     * const source = Stream.fromWebSocketServer({ port: 8081, path: '/telemetry' });
     * source.sink(console.log);
     * source.start();
     */
    function fromWebSocketServer<T = unknown>(
      options?: WebSocketServerOptions,
      streamOptions?: StreamOptions,
    ): WebSocketServerSource<T>;
    /**
     * The messages of a WebSocket server, reconnecting after a lost connection.
     * @example
     * const source = Stream.fromWebSocket('ws://127.0.0.1:8081/telemetry');
     * source.sink(console.log);
     * source.start();
     */
    function fromWebSocket<T = unknown>(
      url: string,
      options?: FromWebSocketOptions,
      streamOptions?: StreamOptions,
    ): WebSocketSource<T>;
  }
}

Object.assign(Stream, {
  fromWebSocketServer<T>(options: WebSocketServerOptions = {}, streamOptions: StreamOptions = {}) {
    return new WebSocketServerSource<T>(options, streamOptions);
  },
  fromWebSocket<T>(url: string, options: FromWebSocketOptions = {}, streamOptions: StreamOptions = {}) {
    return new WebSocketSource<T>(url, options, streamOptions);
  },
});
