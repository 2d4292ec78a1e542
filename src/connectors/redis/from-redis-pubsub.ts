import { Source } from '../../core/source.ts';
import { Stream, type StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger } from '../../errors.ts';
import { isRedisConnection, openRedis, type RedisClient, type RedisConnection, redisError } from './connection.ts';

/** One Pub/Sub message. */
export interface RedisMessage {
  readonly channel: string;
  readonly message: string;
}

/** Options of `Stream.fromRedisPubSub`. */
export interface FromRedisPubSubOptions {
  /**
   * Messages kept while the graph is busy; Pub/Sub cannot be paused, so past this the oldest are dropped (and
   * counted in `dropped`). Default 10 000.
   */
  maxQueue?: number;
}

/**
 * A source of the messages published on a Redis channel (or on the channels a pattern with `*`, `?` or `[`
 * matches). Pub/Sub keeps nothing: only messages published while the source runs arrive.
 */
export class RedisPubSubSource extends Source<RedisMessage> {
  override kind = 'fromRedisPubSub';
  /** Messages dropped because the queue was full. */
  dropped = 0;
  /** Resolves once the subscription is in place (messages published before it are not seen). */
  readonly subscribed: Promise<void>;
  private resolveSubscribed!: () => void;
  private readonly connection: RedisConnection;
  private readonly channel: string;
  private readonly maxQueue: number;

  constructor(
    connection: RedisConnection,
    channel: string,
    options: FromRedisPubSubOptions = {},
    streamOptions: StreamOptions = {},
  ) {
    if (!isRedisConnection(connection))
      badArgument('fromRedisPubSub', 'connection', connection, 'a redis:// URL or { host, port }');
    if (typeof channel !== 'string' || channel === '')
      badArgument('fromRedisPubSub', 'channel', channel, 'a channel name or pattern');
    const maxQueue = options.maxQueue ?? 10_000;
    requireInteger('fromRedisPubSub', 'maxQueue', maxQueue, 1);
    super(streamOptions);
    this.connection = connection;
    this.channel = channel;
    this.maxQueue = maxQueue;
    this.subscribed = new Promise((resolve) => (this.resolveSubscribed = resolve));
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const client: RedisClient = await openRedis(this.connection, 'fromRedisPubSub');
    const queue: RedisMessage[] = [];
    let wake: (() => void) | null = null;
    const push = (channel: string, message: string): void => {
      if (queue.length >= this.maxQueue) {
        queue.shift();
        this.dropped++;
      }
      queue.push({ channel, message });
      wake?.();
    };
    const pattern = /[*?[]/.test(this.channel);
    if (pattern) client.on('pmessage', (_p: string, channel: string, message: string) => push(channel, message));
    else client.on('message', push);
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      await (pattern ? client.psubscribe(this.channel) : client.subscribe(this.channel));
      this.resolveSubscribed();
      while (!this.stopping) {
        const m = queue.shift();
        if (m === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        const r = this.emit(m);
        if (r !== undefined) await r;
      }
    } catch (error) {
      throw redisError(error, this.connection, `fromRedisPubSub: subscribing to ${this.channel}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.disconnect();
    }
  }
}

declare module '../../core/stream.ts' {
  namespace Stream {
    /**
     * A source of the messages published on a Redis channel or pattern (only those published while it runs).
     * @example
     * const updates = Stream.fromRedisPubSub('redis://localhost:6379', 'twin:parameters');
     * updates.map((m) => JSON.parse(m.message)).sink(console.log);
     * updates.start();
     */
    function fromRedisPubSub(
      connection: RedisConnection,
      channel: string,
      options?: FromRedisPubSubOptions,
      streamOptions?: StreamOptions,
    ): RedisPubSubSource;
  }
}

Object.assign(Stream, {
  fromRedisPubSub(
    connection: RedisConnection,
    channel: string,
    options: FromRedisPubSubOptions = {},
    streamOptions: StreamOptions = {},
  ) {
    return new RedisPubSubSource(connection, channel, options, streamOptions);
  },
});
