import { openRedis, type RedisClient, type RedisConnection } from '../../connectors/redis/connection.ts';
import { badArgument } from '../../errors.ts';
import type { ParameterRegistry } from '../parameters.ts';
import { type IngressCallbacks, ParameterIngress } from './ingress.ts';

/** Options of `RedisParameterIngress`. */
export interface RedisIngressOptions extends IngressCallbacks {
  /** The channel of updates (default `'twinstream:params'`). */
  channel?: string;
}

/**
 * Live parameter updates over Redis Pub/Sub, as desflow takes them: each message on `channel` is JSON
 * `{ path, value }` (or `{ path_id, value }`, or an array of them), applied through `registry.update`. A bad
 * message is rejected with its reason (counted, kept) and the subscription goes on.
 *
 * @example
 * const ingress = new RedisParameterIngress(env.registry, 'redis://127.0.0.1:6379', { channel: 'plant:params' });
 * await ingress.start(); // subscribed
 * // redis-cli publish plant:params '{"path":"Line_A.arrival.standard.rate","value":3}'
 * await env.run({ until: 3600 });
 * await ingress.stop();
 */
export class RedisParameterIngress extends ParameterIngress {
  readonly channel: string;
  private readonly connection: RedisConnection;
  private client: RedisClient | null = null;

  constructor(registry: ParameterRegistry, connection: RedisConnection, options: RedisIngressOptions = {}) {
    super(registry, options);
    const channel = options.channel ?? 'twinstream:params';
    if (typeof channel !== 'string' || channel === '') {
      badArgument('RedisParameterIngress', 'channel', channel, 'a channel name');
    }
    this.channel = channel;
    this.connection = connection;
  }

  /** Connects and subscribes; resolves when the subscription is in place. */
  async start(): Promise<void> {
    const client = await openRedis(this.connection, 'RedisParameterIngress');
    this.client = client;
    client.on('message', (channel: string, message: string) => this.handle(message, `redis:${channel}`));
    await client.subscribe(this.channel);
  }

  /** Disconnects. */
  async stop(): Promise<void> {
    this.client?.disconnect();
    this.client = null;
  }
}
