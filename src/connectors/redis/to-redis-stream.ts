import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { isRedisConnection, openRedis, type RedisClient, type RedisConnection, redisError } from './connection.ts';

/** How `toRedisStream` writes. */
export interface ToRedisStreamOptions<T = any> {
  /** The stream key. */
  stream: string;
  /** Trim the stream to about this many entries (`MAXLEN ~`, which Redis does cheaply). Default: no trimming. */
  maxLen?: number;
  /**
   * The fields of an element's entry. Default: each field of the element, strings as they are, other values as
   * JSON text.
   */
  fields?: (x: T) => Record<string, string | number | Buffer>;
  /** Entries per pipeline. Default 1000. */
  batchSize?: number;
  /** How long a partly filled pipeline waits for more. Default `'5ms'`. */
  linger?: Duration;
}

/**
 * A sink adding every element to a Redis Stream with XADD, pipelined a batch at a time. Each element is held (its
 * reference counter retained) until Redis answered for its batch.
 */
export class RedisStreamSinkNode<T = unknown> extends Stream<unknown> {
  override kind = 'toRedisStream';
  /** Entries added. */
  written = 0;
  private readonly connection: RedisConnection;
  private readonly options: ToRedisStreamOptions<any>;
  private readonly head: string[];
  private readonly batchSize: number;
  private readonly linger: number;
  private client: RedisClient | null = null;
  private opening: Promise<RedisClient> | null = null;
  private current: { entries: string[][]; held: (Metadata | undefined)[] } = { entries: [], held: [] };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown = null;

  constructor(upstream: Stream<T>, connection: RedisConnection, options: ToRedisStreamOptions<T>) {
    if (!isRedisConnection(connection))
      badArgument('toRedisStream', 'connection', connection, 'a redis:// URL or { host, port }');
    if (typeof options?.stream !== 'string' || options.stream === '') {
      badArgument('toRedisStream', 'stream', options?.stream, 'a stream key');
    }
    if (options.maxLen !== undefined) requireInteger('toRedisStream', 'maxLen', options.maxLen, 1);
    if (options.fields !== undefined && typeof options.fields !== 'function') {
      badArgument('toRedisStream', 'fields', options.fields, 'a function of the element returning its fields');
    }
    const batchSize = options.batchSize ?? 1000;
    requireInteger('toRedisStream', 'batchSize', batchSize, 1);
    const linger = toMillis(options.linger ?? '5ms', 'toRedisStream: linger');
    super({ clock: upstream.clock });
    this.connection = connection;
    this.options = options;
    this.head =
      options.maxLen === undefined ? [options.stream] : [options.stream, 'MAXLEN', '~', String(options.maxLen)];
    this.batchSize = batchSize;
    this.linger = linger;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    const fields = this.options.fields ? this.options.fields(x) : (x as Record<string, unknown>);
    if (fields === null || typeof fields !== 'object')
      badArgument('toRedisStream', 'element', x, 'an object of fields');
    const args = [...this.head, '*'];
    for (const k in fields) {
      const v = (fields as Record<string, unknown>)[k];
      if (v === undefined) continue;
      args.push(k, typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : JSON.stringify(v));
    }
    retainRefs(metadata);
    this.current.entries.push(args);
    this.current.held.push(metadata);
    if (this.current.entries.length >= this.batchSize) return this.send();
    if (this.timer === null) this.timer = setTimeout(() => void this.send()?.catch(() => {}), this.linger);
  }

  private send(): Promise<void> | undefined {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const b = this.current;
    if (b.entries.length === 0) return undefined;
    this.current = { entries: [], held: [] };
    const previous = this.writing;
    this.pending++;
    this.writing = previous
      .then(async () => {
        this.client ??= await (this.opening ??= openRedis(this.connection, 'toRedisStream'));
        const pipeline = this.client.pipeline();
        for (const args of b.entries) pipeline.xadd(...args);
        const results: [Error | null, unknown][] = await pipeline.exec();
        const failed = results.find((r) => r[0] !== null);
        if (failed) throw failed[0];
      })
      .then(
        () => {
          this.pending--;
          this.written += b.entries.length;
          for (const md of b.held) releaseRefs(md);
        },
        (error) => {
          this.pending--;
          this.failure ??= redisError(error, this.connection, `toRedisStream: XADD to ${this.options.stream}`);
          throw this.failure;
        },
      );
    this.writing.catch(() => {});
    // Two pipelines in flight at most: the next batch fills while one is on the wire.
    return this.pending > 2 ? previous.catch(() => {}) : undefined;
  }

  /** Sends what is batched and resolves when Redis answered for everything so far. */
  async flush(): Promise<void> {
    this.send();
    await this.writing;
  }

  /** Flushes, then closes the connection. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const c = this.client;
      this.client = null;
      this.opening = null;
      if (c) await c.quit().catch(() => c.disconnect());
    }
  }

  protected override flushOnEnd(): Pushed {
    return this.close();
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Adds every element to a Redis Stream (XADD, pipelined, trimmed to about `maxLen`). Each element is held until
     * Redis answered.
     * @example
     * events.toRedisStream('redis://localhost:6379', { stream: 'events', maxLen: 100_000 });
     */
    toRedisStream(connection: RedisConnection, options: ToRedisStreamOptions<T>): RedisStreamSinkNode<T>;
  }
}

Stream.register('toRedisStream', function toRedisStream(this: Stream<any>, connection, options) {
  return new RedisStreamSinkNode(this, connection as RedisConnection, options as ToRedisStreamOptions);
});
