// A processor run as a child process by the fault tests: input → { id } → output (or, with `--window`, 1 s
// tumbling windows per key → { key, start, n, ids } with their state in a changelog), until it has handled every
// record the input held when it started (`--until-end`), or `--idle` ms without input; then it drains, commits and
// exits 0. Or until it is killed. It prints its progress every 20 ms. With `--async`, a yielding `mapAsync` (eight
// calls in flight) comes before the windows: commits must wait for what it holds. With `--pipeline`, state in every
// stage before the windows: a running count per partition (`accumulate`), an as-of join with every third reading
// (`joinAsof`), pairs of one key (`partition`), a running total per record key (stateful `apply`), then the results
// batched into frames (`toFrames` by size) and windowed on frames (a frame window), all checkpointed together.
// With `--group-by`, the records
// (`{ id, t, c }`, keyed by store) are re-keyed by `c` through a repartition topic, then windowed per `c`. With
// `--join-topic <name>`, the input is joined as of its time with the references of that topic (`{ t, q }`, keyed
// alike, co-partitioned: `joinAsof` across topics), then windowed per key. With `--pace`, the windows' input is
// paced (a pause of 10 ms every 20 records), so that instances join and leave while it is read; `--instance` names
// the instance (its transactional id under exactly-once: instances running together need their own). With
// `--lookup-topic <name>`, each record is enriched with its key's room from that topic kept as a table
// (`joinLookup`, how 'left': `{ id, room }`, room null when the table did not have the key).
import { parseArgs } from 'node:util';
import { Application } from '../../src/app/index.ts';
import type { KafkaRecord } from '../../src/connectors/kafka/index.ts';
import { count, type State, sum } from '../../src/index.ts';
import { stopAtEnd } from './kafka-io.ts';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    group: { type: 'string' },
    guarantee: { type: 'string', default: 'at-least-once' },
    window: { type: 'boolean', default: false },
    async: { type: 'boolean', default: false },
    pipeline: { type: 'boolean', default: false },
    'group-by': { type: 'boolean', default: false },
    'join-topic': { type: 'string' },
    'lookup-topic': { type: 'string' },
    'state-dir': { type: 'string' },
    'until-end': { type: 'boolean', default: false },
    pace: { type: 'boolean', default: false },
    instance: { type: 'string', default: '0' },
    idle: { type: 'string', default: '4000' },
  },
});

const stateDir = values['state-dir'];
const app = new Application({
  brokers: values.brokers!,
  groupId: values.group!,
  autoOffsetReset: 'earliest',
  processingGuarantee: values.guarantee as 'at-least-once' | 'exactly-once',
  commitInterval: '100ms',
  // A fetch hands over thousands of records, handled in one go: commits (and the kills between them) also every
  // 2000 records fall inside a partition, with windows open across them, and many transactions per run.
  commitEvery: 2000,
  sessionTimeout: '3s',
  retries: 40,
  retryDelay: 250,
  instanceId: values.instance,
  ...(stateDir === undefined ? {} : { stateDir }),
});
const input = app.topic<string, { id: number; t: number }>(values.input!);
const output = app.topic(values.output!);
if (values.pipeline) {
  type Seen = { id: number; t: number; k: string; seq: number };
  const counted = app
    .stream(input)
    // Paced (a pause of 10 ms every 100 records): the whole input takes seconds, so each kill lands mid-run even when
    // a loaded machine delays the progress lines, and the last processor is left work.
    .mapAsync(async (r) => {
      if (r.value.id % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return r;
    })
    .map((r) => ({ id: r.value.id, t: r.value.t, k: r.key! }))
    .accumulate((n: number, x: { id: number; t: number; k: string }): [number, Seen] => [n + 1, { ...x, seq: n + 1 }], {
      start: 0,
      returnsState: true,
    });
  // Every third reading is a reference the others join as of their time (waiting up to 300 ms of event time).
  counted
    .joinAsof(
      counted.filter((x: Seen) => x.id % 3 === 0),
      {
        key: 'k',
        timestamp: 't',
        grace: '300ms',
        how: 'left',
        merge: (l: Seen, r: Seen | undefined) => ({ ...l, ref: r?.id ?? -1 }),
      },
    )
    .partition(2, { key: 'k' })
    .apply(
      (pair: (Seen & { ref: number })[], state: State<{ total: number }>) => {
        const total = state.get('total', 0) + pair[0]!.id + pair[1]!.id;
        state.set('total', total);
        const v = (total % 1_000_003) + pair[0]!.seq + pair[1]!.seq + pair[0]!.ref + pair[1]!.ref;
        return { k: pair[1]!.k, t: pair[1]!.t, v };
      },
      { stateful: true },
    )
    // Four results a frame (two pairs of each partition's keys per 100 ms of event time): rows wait in `toFrames`
    // at every commit, yet every window but each key's last still closes by the end of the input.
    .toFrames({ size: 4, time: 't', key: 'k' })
    .tumblingWindow('1s', { key: 'k', value: 'v', namespace: 'faults' })
    .agg({ n: count(), ids: sum() })
    .final()
    .map((w) => ({ key: w.key, start: w.start, n: w.n, ids: w.ids }))
    .toTopic(output);
} else if (values['lookup-topic'] !== undefined) {
  const rooms = app.stream(app.topic<string, { room: string }>(values['lookup-topic']));
  app
    .stream(input)
    .joinLookup(rooms, { how: 'left' })
    .map((r: KafkaRecord<string, { id: number; room?: string }>) => ({ id: r.value.id, room: r.value.room ?? null }))
    .toTopic(output);
} else if (values['join-topic'] !== undefined) {
  const refs = app.stream(app.topic<string, { t: number; q: number }>(values['join-topic'], { timestamp: (v) => v.t }));
  app
    .stream(app.topic<string, { id: number; t: number }>(values.input!, { timestamp: (v) => v.t }))
    // An hour of grace: a reading waits until the references of its partition passed its time, whichever topic the
    // consumer reads first, so the result is the same in every run.
    .joinAsof(refs, {
      on: 'key',
      grace: '1h',
      how: 'left',
      merge: (l, r) => ({ k: l.key!, t: l.value.t, v: l.value.id * 1000 + (r?.value.q ?? 999) }),
    })
    .tumblingWindow('1s', { key: 'k', timestamp: 't', value: 'v', namespace: 'faults' })
    .agg({ n: count(), ids: sum() })
    .final()
    .map((w) => ({ key: w.key, start: w.start, n: w.n, ids: w.ids }))
    .toTopic(output);
} else if (values['group-by']) {
  app
    .stream(app.topic<string, { id: number; t: number; c: string }>(values.input!, { timestamp: (v) => v.t }))
    // Paced (a pause of 10 ms every 20 records) so that instances join and die while the input is read.
    .mapAsync(async (r) => {
      if (r.value.id % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return r;
    })
    .groupBy('c')
    .tumblingWindow('1s', {
      value: (r: KafkaRecord<unknown, { id: number }>) => r.value.id,
      namespace: 'by-c',
    })
    .agg({ n: count(), ids: sum() })
    .final()
    .map((w) => ({ key: w.key, start: w.start, n: w.n, ids: w.ids }))
    .toTopic(output);
} else if (values.window) {
  const records = app.stream(input);
  const yielding = async (r: KafkaRecord<string, { id: number; t: number }>) => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    return r;
  };
  const paced = async (r: KafkaRecord<string, { id: number; t: number }>) => {
    if (r.value.id % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    return r;
  };
  (values.async ? records.mapAsync(yielding, { parallelism: 8 }) : values.pace ? records.mapAsync(paced) : records)
    .tumblingWindow('1s', {
      timestamp: (r: KafkaRecord<string, { id: number; t: number }>) => r.value.t,
      value: (r: KafkaRecord<string, { id: number; t: number }>) => r.value.id,
      namespace: 'faults',
    })
    .agg({ n: count(), ids: sum() })
    .final()
    .map((w) => ({ key: w.key, start: w.start, n: w.n, ids: w.ids }))
    .toTopic(output);
} else {
  app
    .stream(input)
    .map((r) => ({ id: r.value.id }))
    .toTopic(output);
}

// Stops once every record the input held at the start was handled (however long a rejoin pauses the input).
const table = values['join-topic'] ?? values['lookup-topic'];
const ends = table === undefined ? [values.input!] : [values.input!, table];
const disarm = values['until-end'] ? await stopAtEnd(app, ends) : () => {};
// What it got through so far, for the test to kill it mid-run.
const commits = () => (app as unknown as { source: { counters: { commits: number } } | null }).source?.counters.commits;
const progress = setInterval(() => {
  process.stdout.write(`progress processed=${app.counters.processed} commits=${commits() ?? 0}\n`);
}, 20);
process.stdout.write('ready\n');
try {
  // SIGTERM: drain, commit and leave the group (the fault tests stop instances so, to see their partitions move).
  await app.run({ timeout: Number(values.idle), handleSignals: true });
} finally {
  disarm();
  clearInterval(progress);
}
process.stdout.write(`done processed=${app.counters.processed} restored=${app.stateCounters.restored}\n`);
