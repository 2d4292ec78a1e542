import { isUtf8 } from 'node:buffer';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import { readLines } from './line-reader.ts';

/** Where `Stream.fromTcp` listens and how it frames. */
export interface FromTcpOptions {
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Default 0: a free port (`await source.listening`). */
  port?: number;
  /** `'lines'` (UTF-8 strings, the default) or `'ndjson'` (one JSON value a line). */
  framing?: 'lines' | 'ndjson';
  /** When set, the first line of every connection must be this token, else the connection is closed. */
  token?: string;
  /** Longer lines are refused and skipped. Default 64 KiB. */
  maxLineBytes?: number;
  /** Open connections at most; more are closed at once. Default 256. */
  maxConnections?: number;
  /** A connection silent this long is closed (slow or dead clients). Default `'5m'`. */
  idleTimeout?: Duration;
}

/**
 * A TCP server whose clients send lines (`\n` or `\r\n` ended) that become elements, each connection's in order.
 * While the graph pushes back, the delivering connections are paused. A line that is not UTF-8, not JSON (for
 * `'ndjson'`), too long, or cut by a dropped connection is counted, reported with its line number on
 * `malformedInput()`, and skipped; the connection and the server go on.
 *
 * @example
 * const source = Stream.fromTcp({ port: 7000, framing: 'ndjson' });
 * source.sink(console.log);
 * source.start(); // printf '{"t":1}\n' | nc 127.0.0.1 7000
 */
export class TcpSource<T = unknown> extends ConnectorSource<T> {
  override kind = 'fromTcp';
  /** Connections open now. */
  connections = 0;
  private readonly o: {
    host: string;
    port: number;
    framing: 'lines' | 'ndjson';
    token: string | undefined;
    maxLineBytes: number;
    maxConnections: number;
    idle: number;
  };
  private address: { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } | null = null;

  constructor(options: FromTcpOptions = {}, streamOptions: StreamOptions = {}) {
    const o = options ?? {};
    const port = o.port ?? 0;
    requireInteger('Stream.fromTcp', 'port', port, 0);
    if (port > 65535) badArgument('Stream.fromTcp', 'port', port, 'a port from 0 to 65535');
    const framing = o.framing ?? 'lines';
    if (framing !== 'lines' && framing !== 'ndjson')
      badArgument('Stream.fromTcp', 'framing', framing, "'lines' or 'ndjson'");
    if (o.token !== undefined && (typeof o.token !== 'string' || o.token === '' || o.token.includes('\n')))
      badArgument('Stream.fromTcp', 'token', '(hidden)', 'a non-empty string without a newline');
    const maxLineBytes = o.maxLineBytes ?? 1 << 16;
    requireInteger('Stream.fromTcp', 'maxLineBytes', maxLineBytes, 1);
    const maxConnections = o.maxConnections ?? 256;
    requireInteger('Stream.fromTcp', 'maxConnections', maxConnections, 1);
    const idle = toMillis(o.idleTimeout ?? '5m', 'Stream.fromTcp: idleTimeout');
    super(streamOptions);
    this.o = { host: o.host ?? '127.0.0.1', port, framing, token: o.token, maxLineBytes, maxConnections, idle };
  }

  /** The address the server listens on, once started. */
  get listening(): Promise<AddressInfo> {
    this.address ??= deferred();
    return this.address.promise;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const o = this.o;
    const sockets = new Set<Socket>();
    let failure: unknown = null;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const server = createServer((socket) => {
      const from = `tcp ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
      socket.on('error', () => {});
      if (this.connections >= o.maxConnections) {
        this.reject('overloaded', 'too many connections', from);
        socket.destroy();
        return;
      }
      this.connections++;
      sockets.add(socket);
      socket.on('close', () => {
        this.connections--;
        sockets.delete(socket);
      });
      socket.setTimeout(o.idle, () => socket.destroy());
      let authorized = o.token === undefined;
      let refused = false;
      readLines(socket, o.maxLineBytes, {
        line: (bytes, n) => {
          if (refused) return; // the rest of a refused connection's chunk
          if (!authorized) {
            if (bytes.toString('utf8') === o.token) {
              authorized = true;
              return;
            }
            this.reject('unauthorized', 'the first line is not the token', from);
            refused = true;
            socket.destroy();
            return;
          }
          if (!isUtf8(bytes)) {
            this.reject('invalid-utf8', `line ${n} is not UTF-8`, from, bytes);
            return;
          }
          const text = bytes.toString('utf8');
          if (o.framing === 'lines') return this.deliver(text as T);
          if (text.trim() === '') return;
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (e) {
            this.reject('invalid-json', `line ${n}: invalid JSON (${(e as Error).message})`, from, text);
            return;
          }
          return this.deliver(value as T);
        },
        refuse: (reason, message, sample) => this.reject(reason, message, from, sample),
        failed: (e) => {
          failure ??= e;
          finish();
        },
      });
    });
    server.maxConnections = o.maxConnections + 16; // the ones past maxConnections are refused and counted above
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new TwinstreamError('TS_NET_LISTEN', `listening on ${o.host}:${o.port} failed: ${e.message}`)),
      );
      server.listen(o.port, o.host, resolve);
    });
    this.address ??= deferred();
    this.address.resolve(server.address() as AddressInfo);
    signal.addEventListener('abort', () => finish(), { once: true });
    await finished;
    server.close();
    for (const s of sockets) s.destroy();
    if (failure !== null) throw failure;
  }
}

function deferred(): { promise: Promise<AddressInfo>; resolve(a: AddressInfo): void } {
  let resolve!: (a: AddressInfo) => void;
  const promise = new Promise<AddressInfo>((r) => (resolve = r));
  return { promise, resolve };
}
