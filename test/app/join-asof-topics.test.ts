// joinAsof across two topics on the in-memory cluster, in virtual time: trades matched with the latest quote of their
// symbol at or before their time; the join's state (waiting trades, kept quotes) kept with the trades' partitions,
// through an instance joining mid-run and one killed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Application } from '../../src/app/index.ts';
import type { KafkaRecord, MemoryKafka } from '../../src/connectors/kafka/index.ts';
import type { TwinstreamError } from '../../src/index.ts';
import type { VirtualClock } from '../../src/time/clock.ts';
import { memoryApp, memoryCluster, T0 } from './memory-cluster.ts';
import { advanceUntil, settleAll } from './virtual-time.ts';

const SYMBOLS = 8;
const STEPS = 4000;

interface Trade {
  n: number;
  symbol: string;
}
interface Quote {
  symbol: string;
  price: number;
}
type Priced = Trade & { price?: number };

// One event every 10 ms: a quote at even steps, a trade at odd ones; a last quote of every symbol after the last
// trade, so that every trade's right side has passed its time.
const quotes: { t: number; q: Quote }[] = [];
const trades: { t: number; x: Trade }[] = [];
for (let i = 0; i < STEPS; i++) {
  const t = T0 + i * 10;
  if (i % 2 === 0) quotes.push({ t, q: { symbol: `s${(i * 5) % SYMBOLS}`, price: 100 + (i % 97) } });
  else trades.push({ t, x: { n: i, symbol: `s${(i * 3) % SYMBOLS}` } });
}
for (let s = 0; s < SYMBOLS; s++) quotes.push({ t: T0 + STEPS * 10, q: { symbol: `s${s}`, price: 1 } });

/** Per trade, the price of the latest quote of its symbol at or before it (none: no quote yet). */
function expected(): Map<number, number | undefined> {
  const out = new Map<number, number | undefined>();
  for (const { t, x } of trades) {
    let price: number | undefined;
    for (const q of quotes) if (q.t <= t && q.q.symbol === x.symbol) price = q.q.price;
    out.set(x.n, price);
  }
  return out;
}

function cluster(): { clock: VirtualClock; kafka: MemoryKafka } {
  const { clock, kafka } = memoryCluster({ quotes: 4, trades: 4 });
  kafka.produce(
    'quotes',
    quotes.map(({ t, q }) => ({ key: q.symbol, value: q, timestamp: t })),
  );
  kafka.produce(
    'trades',
    trades.map(({ t, x }) => ({ key: x.symbol, value: x, timestamp: t })),
  );
  return { clock, kafka };
}

function build(kafka: MemoryKafka, clock: VirtualClock, clientId: string, guarantee: string, how: 'inner' | 'left') {
  const app = memoryApp(kafka, clock, {
    clientId,
    instanceId: clientId,
    groupId: 'prices',
    commitInterval: '100ms',
    commitEvery: 100,
    processingGuarantee: guarantee as 'at-least-once' | 'exactly-once',
  });
  const q = app.stream(app.topic<string, Quote>('quotes'));
  app
    .stream(app.topic<string, Trade>('trades'))
    .joinAsof(q, { on: 'key', grace: '1h', how })
    .map((r) => (r as KafkaRecord<string, Priced>).value)
    .toTopic(app.topic('priced'));
  return app;
}

for (const [guarantee, how] of [
  ['at-least-once', 'left'],
  ['exactly-once', 'inner'],
] as const) {
  test(`${guarantee}, how ${how}: joinAsof of two topics, through an instance joining and one killed`, async () => {
    const { clock, kafka } = cluster();
    const a = build(kafka, clock, 'a', guarantee, how);
    a.run({ timeout: '1s' }).catch(() => {});
    await advanceUntil(clock, () => a.counters.processed >= 1500, 1);
    const b = build(kafka, clock, 'b', guarantee, how);
    const runB = b.run({ timeout: '1s' });
    await advanceUntil(clock, () => b.counters.processed >= 300, 1);
    kafka.crash('a');
    const c = build(kafka, clock, 'c', guarantee, how);
    const outcomes = await settleAll(clock, [runB, c.run({ timeout: '1s' })]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.ok(b.stateCounters.restored + c.stateCounters.restored > 0, 'the join state came from its changelog');
    const want = expected();
    const got = new Map<number, Priced>();
    for (const r of kafka.read('priced')) {
      const v = r.value as Priced;
      if (guarantee === 'exactly-once') assert.ok(!got.has(v.n), `trade ${v.n} once`);
      assert.equal(v.price, want.get(v.n), `trade ${v.n} of ${v.symbol}`);
      got.set(v.n, v);
    }
    const priced = [...want].filter(([, p]) => how === 'left' || p !== undefined).map(([n]) => n);
    assert.deepEqual(
      [...got.keys()].sort((x, y) => x - y),
      priced,
    );
  });
}

test('joinAsof of two topics with different partition counts is refused at run', async () => {
  const { clock, kafka } = memoryCluster({ quotes: 2, trades: 4 });
  const app = new Application({ brokers: kafka.brokers, client: kafka, clock, groupId: 'bad' });
  app
    .stream(app.topic('trades'))
    .joinAsof(app.stream(app.topic('quotes')), { on: 'key' })
    .toTopic(app.topic('out'));
  await assert.rejects(app.run({ timeout: '1s' }), (e: TwinstreamError) => {
    assert.equal(e.code, 'TS_APP_COPARTITION');
    assert.match(e.message, /joinAsof joins "trades" \(4 partitions\) with "quotes" \(2 partitions\)/);
    return true;
  });
});
