import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisStreamEntry } from '../../../src/connectors/redis/index.ts';
import { RedisStreamSource } from '../../../src/connectors/redis/index.ts';
import { Stream, TwinstreamError } from '../../../src/index.ts';
import { redisUrl, stopDatabases, uniqueTable } from '../../support/databases.ts';

let url: string;
let redis: Redis;
before(async () => {
  url = await redisUrl();
  redis = new Redis(url);
});
after(async () => {
  redis.disconnect();
  await stopDatabases();
});

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('toRedisStream adds every element by pipelined XADD, fields as text, trimmed to about maxLen', async () => {
  const stream = uniqueTable('events');
  const source = Stream.fromIterable(
    Array.from({ length: 3000 }, (_, i) => ({ seq: i, kind: 'tick', at: { line: 2 } })),
  );
  const sink = source.toRedisStream(url, { stream, batchSize: 500 });
  source.start();
  await source.done;
  assert.equal(sink.written, 3000);
  assert.equal(await redis.xlen(stream), 3000);
  const [[, last]] = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
  assert.deepEqual(last, ['seq', '2999', 'kind', 'tick', 'at', '{"line":2}']);

  const trimmed = uniqueTable('trimmed');
  const s2 = Stream.fromIterable(Array.from({ length: 5000 }, (_, i) => ({ i })));
  s2.toRedisStream(url, { stream: trimmed, maxLen: 1000, fields: (x) => ({ value: x.i * 2 }) });
  s2.start();
  await s2.done;
  const len = await redis.xlen(trimmed);
  assert.ok(len >= 1000 && len < 2000, `about 1000 entries kept, got ${len}`);
  const [[, newest]] = (await redis.xrevrange(trimmed, '+', '-', 'COUNT', 1)) as [string, string[]][];
  assert.deepEqual(newest, ['value', '9998']);
});

test('fromRedisStream reads in a group and acknowledges an entry only after the graph is done with it', async () => {
  const stream = uniqueTable('jobs');
  for (let i = 0; i < 10; i++) await redis.xadd(stream, '*', 'n', String(i));
  const source = Stream.fromRedisStream(url, { stream, group: 'g', consumer: 'c1', block: '50ms' });
  const held: ((v?: unknown) => void)[] = [];
  const seen: string[] = [];
  // An async sink: the first five entries are held until released by hand.
  source.sink((e: RedisStreamEntry) => {
    seen.push(e.fields.n!);
    if (Number(e.fields.n) < 5) return new Promise((resolve) => held.push(resolve));
  });
  source.start();
  await until(() => held.length === 1);
  await new Promise((r) => setTimeout(r, 50));
  // Read (pending in the group) but not acknowledged while the first is still being processed.
  assert.equal(((await redis.xpending(stream, 'g')) as [number])[0], 10);
  assert.equal(source.acknowledged, 0);
  while (held.length > 0 || seen.length < 10) {
    held.shift()?.();
    await new Promise((r) => setTimeout(r, 10));
  }
  await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
  assert.deepEqual(seen, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  source.stop();
  await source.done;
  assert.equal(source.acknowledged, 10);
});

test('entries a dead consumer left pending are claimed by another after claimIdle', async () => {
  const stream = uniqueTable('claims');
  for (let i = 0; i < 6; i++) await redis.xadd(stream, '*', 'n', String(i));
  // A consumer that read and died before acknowledging.
  await redis.xgroup('CREATE', stream, 'g', '0');
  await redis.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 4, 'STREAMS', stream, '>');
  const source = new RedisStreamSource(url, {
    stream,
    group: 'g',
    consumer: 'alive',
    claimIdle: '200ms',
    block: '50ms',
  });
  const seen: string[] = [];
  source.sink((e: RedisStreamEntry) => void seen.push(e.fields.n!));
  source.start();
  await until(() => seen.length === 6);
  await until(async () => ((await redis.xpending(stream, 'g')) as [number])[0] === 0);
  source.stop();
  await source.done;
  assert.deepEqual([...seen].sort(), ['0', '1', '2', '3', '4', '5']);
  assert.equal(source.claimed, 4);
});

test('a restarted consumer reads again what it was given and never acknowledged', async () => {
  const stream = uniqueTable('restart');
  for (let i = 0; i < 3; i++) await redis.xadd(stream, '*', 'n', String(i));
  const first = Stream.fromRedisStream(url, { stream, group: 'g', consumer: 'c', block: '50ms' });
  let fail = true;
  first.sink((e: RedisStreamEntry) => {
    if (fail && e.fields.n === '1') throw new Error('model crashed');
  });
  first.start();
  await assert.rejects(first.done, /model crashed/);
  fail = false;
  const second = Stream.fromRedisStream(url, { stream, group: 'g', consumer: 'c', block: '50ms' });
  const seen: string[] = [];
  second.sink((e: RedisStreamEntry) => void seen.push(e.fields.n!));
  second.start();
  await until(() => seen.length >= 2);
  second.stop();
  await second.done;
  assert.deepEqual(seen, ['1', '2']);
});

test('fromRedisPubSub emits what is published on a channel or a pattern while it runs', async () => {
  const channel = uniqueTable('params');
  const exact = Stream.fromRedisPubSub(url, channel);
  const pattern = Stream.fromRedisPubSub(url, `${channel}:*`);
  const got: string[] = [];
  const byPattern: string[] = [];
  exact.sink((m) => void got.push(m.message));
  pattern.sink((m) => void byPattern.push(`${m.channel}=${m.message}`));
  exact.start();
  pattern.start();
  await Promise.all([exact.subscribed, pattern.subscribed]);
  await redis.publish(channel, '{"rate":2}');
  await redis.publish(`${channel}:line1`, 'on');
  await until(() => got.length === 1 && byPattern.length === 1);
  exact.stop();
  pattern.stop();
  await Promise.all([exact.done, pattern.done]);
  assert.deepEqual(got, ['{"rate":2}']);
  assert.deepEqual(byPattern, [`${channel}:line1=on`]);
});

test('refuses bad options at construction; failures carry TS_REDIS without the password', async () => {
  assert.throws(() => Stream.fromRedisStream(url, { stream: 's', group: '' }), /fromRedisStream: group = ""/);
  assert.throws(() => Stream.fromRedisStream(url, { stream: 's', group: 'g', start: '1' as '0' }), /start = "1"/);
  assert.throws(() => Stream.fromIterable([]).toRedisStream(url, { stream: 's', maxLen: 0 }), /maxLen/);
  assert.throws(() => Stream.fromRedisPubSub(url, ''), /channel/);
  const bad = url.replace('redis://', 'redis://someone:hunter2-secret@');
  const source = Stream.fromIterable([{ a: 1 }]);
  source.toRedisStream(bad, { stream: 's' });
  source.start();
  await assert.rejects(source.done, (e: unknown) => {
    assert.ok(e instanceof TwinstreamError);
    assert.equal(e.code, 'TS_REDIS');
    assert.doesNotMatch(e.message, /hunter2/);
    return true;
  });
});
