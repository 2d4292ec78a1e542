// Redis Streams and Pub/Sub sources and sinks. Re-exports only, by name. `ioredis` is imported lazily, on first
// use.

import '../../core/index.ts';
import './to-redis-stream.ts';
import './from-redis-stream.ts';
import './from-redis-pubsub.ts';

export type { RedisConnection } from './connection.ts';
export type { FromRedisPubSubOptions, RedisMessage } from './from-redis-pubsub.ts';
export { RedisPubSubSource } from './from-redis-pubsub.ts';
export type { FromRedisStreamOptions, RedisStreamEntry } from './from-redis-stream.ts';
export { RedisStreamSource } from './from-redis-stream.ts';
export type { ToRedisStreamOptions } from './to-redis-stream.ts';
export { RedisStreamSinkNode } from './to-redis-stream.ts';
