import { hostname } from 'node:os';
import { RefCounter } from '../../core/refcount.ts';
import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger } from '../../errors.ts';
import { type Duration, toMillis } from '../../time/duration.ts';
import { isRedisConnection, openRedis, type RedisClient, type RedisConnection, redisError } from './connection.ts';

/** One entry of a Redis Stream. */
export interface RedisStreamEntry {
  readonly stream: string;
  /** Its id, `<ms>-<seq>`. */
  readonly id: string;
  readonly fields: Record<string, string>;
}

/** What `Stream.fromRedisStream` reads. */
export interface FromRedisStreamOptions {
  /** The stream key. */
  stream: string;
  /** The consumer group (created, with the stream, when absent). */
  group: string;
  /** This consumer's name in the group. Default: host name and process id. */
  consumer?: string;
  /** Where a new group starts: `'0'` (the whole stream, the default) or `'$'` (new entries only). */
  start?: '0' | '$';
  /** Entries per read. Default 500. */
  count?: number;
  /** How long one read waits for new entries. Default `'1s'` (also how long `stop()` may take). */
  block?: Duration;
  /** Entries pending this long with another consumer (one that died) are claimed by this one. Default `'30s'`. */
  claimIdle?: Duration;
}

function fieldsOf(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/**
 * A source of the entries of a Redis Stream read in a consumer group (XREADGROUP). An entry is acknowledged
 * (XACK) when every node downstream is done with it, through its reference counter: at-least-once. On start the
 * consumer first reads again what it had been given and not acknowledged, and then, every `claimIdle`, claims the
 * entries another consumer left pending that long (XAUTOCLAIM).
 */
export class RedisStreamSource extends Source<RedisStreamEntry> {
  override kind = 'fromRedisStream';
  /** Entries acknowledged. */
  acknowledged = 0;
  /** Entries claimed from other consumers. */
  claimed = 0;
  private readonly connection: RedisConnection;
  private readonly options: FromRedisStreamOptions;
  private readonly consumer: string;
  private readonly count: number;
  private readonly blockMs: number;
  private readonly claimMs: number;
  private acks: string[] = [];
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private acking: Promise<void> = Promise.resolve();
  private writer: RedisClient | null = null;

  constructor(connection: RedisConnection, options: FromRedisStreamOptions, streamOptions: StreamOptions = {}) {
    if (!isRedisConnection(connection))
      badArgument('fromRedisStream', 'connection', connection, 'a redis:// URL or { host, port }');
    for (const field of ['stream', 'group'] as const) {
      if (typeof options?.[field] !== 'string' || options[field] === '') {
        badArgument('fromRedisStream', field, options?.[field], `a ${field} name`);
      }
    }
    if (options.consumer !== undefined && (typeof options.consumer !== 'string' || options.consumer === '')) {
      badArgument('fromRedisStream', 'consumer', options.consumer, 'a consumer name');
    }
    if (options.start !== undefined && options.start !== '0' && options.start !== '$') {
      badArgument('fromRedisStream', 'start', options.start, "'0' or '$'");
    }
    const count = options.count ?? 500;
    requireInteger('fromRedisStream', 'count', count, 1);
    const blockMs = toMillis(options.block ?? '1s', 'fromRedisStream: block');
    const claimMs = toMillis(options.claimIdle ?? '30s', 'fromRedisStream: claimIdle');
    super(streamOptions);
    this.connection = connection;
    this.options = options;
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}`;
    this.count = count;
    this.blockMs = Math.max(1, Math.round(blockMs));
    this.claimMs = Math.round(claimMs);
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const { stream, group } = this.options;
    const reader: RedisClient = await openRedis(this.connection, 'fromRedisStream');
    this.writer = reader.duplicate();
    this.writer.on('error', () => {});
    // A blocked read would hold stop() for up to `block`: closing the reader's socket ends it at once.
    const onAbort = (): void => reader.disconnect();
    signal.addEventListener('abort', onAbort);
    try {
      try {
        await reader.xgroup('CREATE', stream, group, this.options.start ?? '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
      // What this consumer was given before and never acknowledged (a restart after a crash).
      let from = '0';
      while (!this.stopping) {
        const got = await reader.xreadgroup(
          'GROUP',
          group,
          this.consumer,
          'COUNT',
          this.count,
          'STREAMS',
          stream,
          from,
        );
        const entries: [string, string[]][] = got?.[0]?.[1] ?? [];
        if (entries.length === 0) break;
        await this.deliver(entries);
        from = entries[entries.length - 1]![0];
      }
      let nextClaim = Date.now();
      while (!this.stopping) {
        if (Date.now() >= nextClaim) {
          await this.claim(reader);
          nextClaim = Date.now() + Math.max(this.claimMs, 100);
        }
        const wait = Math.min(this.blockMs, Math.max(1, nextClaim - Date.now()));
        const got = await reader.xreadgroup(
          ...['GROUP', group, this.consumer, 'COUNT', this.count, 'BLOCK', wait, 'STREAMS', stream, '>'],
        );
        const entries: [string, string[]][] = got?.[0]?.[1] ?? [];
        if (entries.length > 0) await this.deliver(entries);
      }
    } catch (error) {
      if (!this.stopping) throw redisError(error, this.connection, `fromRedisStream: reading ${stream}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
      reader.disconnect();
      await this.flushAcks();
      await this.acking;
      const w = this.writer;
      this.writer = null;
      await w?.quit().catch(() => w.disconnect());
    }
  }

  private async claim(reader: RedisClient): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await reader.xautoclaim(
        ...[this.options.stream, this.options.group, this.consumer, this.claimMs, cursor, 'COUNT', this.count],
      )) as [string, ([string, string[]] | null)[]];
      const live = entries.filter((e): e is [string, string[]] => e !== null);
      this.claimed += live.length;
      if (live.length > 0) await this.deliver(live);
      cursor = next;
    } while (cursor !== '0-0' && !this.stopping);
  }

  private async deliver(entries: readonly [string, string[]][]): Promise<void> {
    const stream = this.options.stream;
    for (const [id, flat] of entries) {
      if (this.stopping) return;
      // Held once by the source itself until emit returns, so the count reaches zero exactly once.
      const ref = new RefCounter(() => this.ack(id), 1);
      const r = this.emit({ stream, id, fields: fieldsOf(flat) }, [{ ref, redisId: id }]);
      if (r !== undefined) await r;
      ref.release();
    }
  }

  private ack(id: string): void {
    this.acks.push(id);
    if (this.acks.length >= this.count) void this.flushAcks();
    else this.ackTimer ??= setTimeout(() => void this.flushAcks(), 5);
  }

  private flushAcks(): Promise<void> {
    if (this.ackTimer !== null) {
      clearTimeout(this.ackTimer);
      this.ackTimer = null;
    }
    if (this.acks.length === 0 || this.writer === null) return this.acking;
    const ids = this.acks;
    this.acks = [];
    const w = this.writer;
    this.acking = this.acking
      .then(() => w.xack(this.options.stream, this.options.group, ...ids))
      .then(
        () => {
          this.acknowledged += ids.length;
        },
        () => {
          // Not acknowledged: the entries stay pending and are read again (at-least-once).
        },
      );
    return this.acking;
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the entries of a Redis Stream, read in a consumer group; each is acknowledged once every node
     * downstream is done with it, and entries a dead consumer left pending are claimed.
     * @example
     * const events = Stream.fromRedisStream('redis://localhost:6379', { stream: 'events', group: 'twin' });
     * events.map((e) => e.fields).sink(console.log);
     * events.start();
     */
    function fromRedisStream(
      connection: RedisConnection,
      options: FromRedisStreamOptions,
      streamOptions?: StreamOptions,
    ): RedisStreamSource;
  }
}

Object.assign(Stream, {
  fromRedisStream(connection: RedisConnection, options: FromRedisStreamOptions, streamOptions: StreamOptions = {}) {
    return new RedisStreamSource(connection, options, streamOptions);
  },
});
