import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { badArgument, requireInteger, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import type { Block } from '../block.ts';
import type { DataArray } from '../layout.ts';
import type { LocalPipe } from '../local-pipe.ts';
import { FrameReader } from './frame-reader.ts';
import { decodeData, encodeData, encodeNumber, FRAME, HEADER_BYTES } from './wire.ts';

/** Options of a `PipeHttpServer`. Every size is capped. */
export interface PipeHttpServerOptions {
  readonly pipes: Readonly<Record<string, LocalPipe>>;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** When set, requests need `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Largest request body. Default 256 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest frame in a body. Default 16 MiB. */
  readonly maxFrameBytes?: number;
  /** Default 64. */
  readonly maxConnections?: number;
}

const FRAMES = 'application/x-twinstream-frames';

/**
 * Local pipes over HTTP, Joule's way (`POST /data`, `GET /data`):
 * - `POST /data?stream=NAME` writes into the pipe. Body `application/octet-stream`: Joule's raw rows (int64 LE
 *   timestamp, then the values, little-endian); body `application/x-twinstream-frames`: our TCP frames (data,
 *   interval, close), so interval breaks travel out of band. The request is read only as fast as the pipe takes the
 *   rows (back pressure). 204 when every row is in; 4xx with `{ code, message }` otherwise.
 * - `GET /data?stream=NAME` streams the pipe's rows as frames while it is open, consuming them as they are sent:
 *   a client that disconnects loses what was in flight (use `RemoteInputPipe` over TCP for no loss).
 *
 * @example
 * import { LocalPipe, PipeHttpServer } from 'twinstream/pipes';
 * const power = new LocalPipe({ layout: 'float32_3', name: 'power' });
 * const server = new PipeHttpServer({ pipes: { power } });
 * const { port } = await server.start();
 * // curl --data-binary @rows.bin -H 'content-type: application/octet-stream' "http://127.0.0.1:$port/data?stream=power"
 */
export class PipeHttpServer {
  readonly #pipes: ReadonlyMap<string, LocalPipe>;
  readonly #host: string;
  readonly #port: number;
  readonly #token: Buffer | null;
  readonly #maxBody: number;
  readonly #maxFrame: number;
  readonly #maxConnections: number;
  #server: Server | null = null;

  constructor(options: PipeHttpServerOptions) {
    const where = 'PipeHttpServer';
    if (options?.pipes === null || typeof options?.pipes !== 'object') {
      badArgument(where, 'pipes', options?.pipes, 'an object of LocalPipes by stream name');
    }
    this.#pipes = new Map(Object.entries(options.pipes));
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#token = options.token === undefined ? null : Buffer.from(options.token);
    this.#maxBody = options.maxBodyBytes ?? 256 * 1024 * 1024;
    this.#maxFrame = options.maxFrameBytes ?? 16 * 1024 * 1024;
    this.#maxConnections = options.maxConnections ?? 64;
    requireInteger(where, 'port', this.#port, 0);
    requireInteger(where, 'maxBodyBytes', this.#maxBody, 1024);
    requireInteger(where, 'maxFrameBytes', this.#maxFrame, 1024);
    requireInteger(where, 'maxConnections', this.#maxConnections, 1);
  }

  start(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e) => fail(res, e));
    });
    server.maxConnections = this.#maxConnections;
    server.headersTimeout = 10_000;
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        const a = server.address();
        resolve({ host: this.#host, port: typeof a === 'object' && a !== null ? a.port : 0 });
      });
    });
  }

  close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    server?.closeAllConnections();
    return new Promise((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/data') throw httpError(404, 'TS_PIPE_UNKNOWN_STREAM', `no route ${url.pathname}; use /data`);
    if (this.#token !== null) {
      const got = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (got.length !== this.#token.length || !timingSafeEqual(got, this.#token)) {
        throw httpError(401, 'TS_PIPE_AUTH', 'wrong or missing token');
      }
    }
    const stream = url.searchParams.get('stream') ?? '';
    const pipe = this.#pipes.get(stream);
    if (pipe === undefined) throw httpError(404, 'TS_PIPE_UNKNOWN_STREAM', `no stream "${stream}" here`);
    if (req.method === 'POST') return this.#post(req, res, pipe);
    if (req.method === 'GET') return this.#get(req, res, pipe);
    throw httpError(405, 'TS_PIPE_BAD_REQUEST', `method ${req.method} is not served; use GET or POST`);
  }

  async #post(req: IncomingMessage, res: ServerResponse, pipe: LocalPipe): Promise<void> {
    const frames = (req.headers['content-type'] ?? '').startsWith(FRAMES);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.#maxBody) throw httpError(413, 'TS_PIPE_FRAME', `body of ${declared} bytes > maxBodyBytes`);
    const reader = new FrameReader(this.#maxFrame);
    const rowBytes = pipe.layout.rowBytes;
    let carry = new Uint8Array(0);
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > this.#maxBody)
        throw httpError(413, 'TS_PIPE_FRAME', `body larger than maxBodyBytes = ${this.#maxBody}`);
      if (frames) {
        const steps: (() => void | Promise<void>)[] = [];
        reader.push(chunk, (f) => {
          if (f[4] === FRAME.data) {
            const { block } = decodeData(pipe.layout, f);
            steps.push(() => pipe.write(block));
          } else if (f[4] === FRAME.interval) steps.push(() => pipe.closeInterval());
          else if (f[4] === FRAME.close) steps.push(() => pipe.close());
          else throw new TwinstreamError('TS_PIPE_FRAME', `frames of kind ${f[4]} cannot be posted`);
        });
        // The loop does not pull the next chunk until the pipe took these rows: back pressure on the request.
        for (const s of steps) await s();
        continue;
      }
      // Raw rows (Joule's body): whole rows go in; a row cut by the chunk waits for the rest.
      const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const whole = bytes.length - (bytes.length % rowBytes);
      carry = bytes.subarray(whole).slice();
      if (whole > 0) await pipe.write(rowsBlock(pipe, bytes.subarray(0, whole)));
    }
    if (carry.length > 0 || reader.partial) {
      throw httpError(
        400,
        'TS_PIPE_FRAME',
        `the body ends inside a ${frames ? 'frame' : 'row'}: that one was not written (the ones before it were)`,
      );
    }
    res.writeHead(204).end();
  }

  async #get(req: IncomingMessage, res: ServerResponse, pipe: LocalPipe): Promise<void> {
    res.writeHead(200, { 'content-type': FRAMES });
    let gone = false;
    req.on('close', () => (gone = true));
    const w = pipe.layout.width;
    for (;;) {
      let b: Block;
      try {
        b = await pipe.read();
      } catch (e) {
        if ((e as TwinstreamError).code === 'TS_PIPE_EMPTY') break;
        throw e;
      }
      if (gone) return;
      const rowsPerFrame = Math.max(1, Math.floor((this.#maxFrame - HEADER_BYTES - 8) / pipe.layout.rowBytes));
      for (let from = 0; from < b.timestamps.length; from += rowsPerFrame) {
        const to = Math.min(b.timestamps.length, from + rowsPerFrame);
        const frame = encodeData(pipe.layout, 0, {
          timestamps: b.timestamps.subarray(from, to),
          data: b.data.subarray(from * w, to * w),
        });
        if (!res.write(frame)) await new Promise((r) => res.once('drain', r));
      }
      const eoi = pipe.endOfInterval;
      pipe.consume(b.timestamps.length);
      if (eoi) res.write(encodeNumber(FRAME.interval, 0));
    }
    res.end(encodeNumber(FRAME.close, 0));
  }
}

/** Joule's raw rows (in their own aligned buffer) as a block: decoded through the frame decoder. */
function rowsBlock(pipe: LocalPipe, rows: Uint8Array): Block {
  const f = Buffer.allocUnsafeSlow(HEADER_BYTES + 8 + rows.length);
  f.set(rows, HEADER_BYTES + 8);
  const { block } = decodeData(pipe.layout, f);
  return block as Block<DataArray>;
}

function httpError(status: number, code: TwinstreamErrorCode, message: string): TwinstreamError {
  return new TwinstreamError(code, message, { context: { status } });
}

function fail(res: ServerResponse, e: unknown): void {
  const err = e as TwinstreamError;
  const status =
    (err.context?.status as number | undefined) ??
    (err.code === 'TS_PIPE_TIMESTAMPS' || err.code === 'TS_PIPE_FRAME' || err.code === 'TS_PIPE_BAD_BLOCK'
      ? 400
      : err.code === 'TS_PIPE_CLOSED'
        ? 409
        : 500);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ code: err.code ?? 'TS_INTERNAL', message: err.message }));
}
