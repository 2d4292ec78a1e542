import type { RedisConnection } from '../../connectors/redis/connection.ts';
import { RedisStreamSinkNode, type ToRedisStreamOptions } from '../../connectors/redis/to-redis-stream.ts';
import { Stream } from '../../core/stream.ts';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';
import { StreamEgress } from './stream.ts';

/** Options of `RedisStreamEgress`: those of `toRedisStream`, the stream `twinstream:sim` by default. */
export type RedisStreamEgressOptions = Partial<ToRedisStreamOptions<SimRecord>>;

/**
 * Adds the simulation's records to a Redis Stream (pipelined XADD, trimmed to about `maxLen`), as desflow
 * publishes its events to Redis Streams. Each record's fields are its own (`value` as JSON text).
 *
 * @example
 * env.setupEgress([new RedisStreamEgress('redis://localhost:6379', { stream: 'plant:events', maxLen: 100_000 })]);
 */
export class RedisStreamEgress implements EgressSink {
  readonly name = 'redis';
  /** The sink node adding the entries (`written`). */
  readonly sink: RedisStreamSinkNode<SimRecord>;
  // The records go through a graph of their own into the sink node, with its back pressure.
  private readonly records = new StreamEgress(new Stream<SimRecord>());

  constructor(connection: RedisConnection, options: RedisStreamEgressOptions = {}) {
    this.sink = new RedisStreamSinkNode(this.records.stream, connection, { stream: 'twinstream:sim', ...options });
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    await this.records.write(batch);
    await this.sink.flush();
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
