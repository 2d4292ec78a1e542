// The application finds its state by the Checkpointable contract and refuses, before touching the broker, a node
// that keeps records without it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stateNodesBelow } from '../../src/app/app-state.ts';
import { Application } from '../../src/app/index.ts';
import { Stream } from '../../src/core/index.ts';
import { count } from '../../src/window/index.ts';

const app = () => new Application({ brokers: '127.0.0.1:1', groupId: 'g', timeout: 1000 });

test('state is found by contract: windows, accumulate, partition and stateful apply below each input', () => {
  const a = app();
  const s = a.stream(a.topic<string, number>('in', { value: 'json' }));
  s.map((r) => r.value)
    .accumulate((t: number, x: number) => t + x, { start: 0 })
    .partition(2)
    .apply((xs: number[], state) => state.set('last', xs), { stateful: true });
  s.tumblingWindow('1s', { namespace: 'w' }).agg({ n: count() }).final();
  const found = stateNodesBelow(new Map([['in', s]]));
  assert.deepEqual(found.checkpointable.map((c) => c.node.namespace).sort(), ['accumulate', 'partition', 'state', 'w']);
  assert.ok(found.checkpointable.every((c) => c.topic === 'in'));
  assert.deepEqual(found.unsafe, []);
});

/** A node that says it keeps records between elements (`KeepsInput`) without offering `Checkpointable`. */
class KeepsLast extends Stream<number> {
  readonly keepsInput = 'the last record';
  override kind = 'keepsLast';
}

test('an application with state refuses a node that keeps records without checkpointing them', async () => {
  const a = app();
  const s = a.stream(a.topic<string, number>('in', { value: 'json' }));
  const keeps = new KeepsLast();
  s.map((r) => r.value).connect(keeps);
  keeps.named('held').apply((p, state) => state.set('p', p), { stateful: true });
  await assert.rejects(
    a.run({ count: 1 }),
    (e: any) =>
      e.code === 'TS_APP_NOT_CHECKPOINTABLE' &&
      /"held" \(keepsLast\)/.test(e.message) &&
      /the last record/.test(e.message) &&
      /changelog: false/.test(e.message),
  );
});

test('two stateful nodes with one namespace are refused', async () => {
  const a = app();
  const s = a.stream(a.topic('in'));
  s.apply((_x, state) => state.set('a', 1), { stateful: true });
  s.apply((_x, state) => state.set('b', 1), { stateful: true });
  await assert.rejects(
    a.run({ count: 1 }),
    (e: any) => e.code === 'TS_APP_STATE' && /namespace "state"/.test(e.message),
  );
});

// The fault pipeline's stages, in memory: checkpoint at random points, "kill", restore every partition into a new
// graph and resume after the offsets the state covers. The windows must equal an uninterrupted run.
test('a pipeline of checkpointable nodes restored from any checkpoint equals an uninterrupted run', async () => {
  const { MemoryStateStore } = await import('../../src/state/index.ts');
  const { Stream, isCheckpointable } = await import('../../src/core/index.ts');
  const { sum } = await import('../../src/window/index.ts');
  type Seen = { id: number; t: number; k: string; seq: number };
  const KEYS = 8;
  const PARTS = 3;
  const records = Array.from({ length: 3000 }, (_, id) => {
    const k = `k${id % KEYS}`;
    return { id, t: 1_700_000_000_000 + Math.floor(id / KEYS) * 100, k, partition: (id % KEYS) % PARTS };
  });
  const offsets = new Map<number, number>();
  const withOffsets = records.map((r) => {
    const o = offsets.get(r.partition) ?? 0;
    offsets.set(r.partition, o + 1);
    return { ...r, offset: o };
  });
  const build = () => {
    const source = new Stream<(typeof withOffsets)[number]>();
    const out: string[] = [];
    const counted = source
      .map((r) => ({ id: r.id, t: r.t, k: r.k }))
      .accumulate(
        (n: number, x: { id: number; t: number; k: string }): [number, Seen] => [n + 1, { ...x, seq: n + 1 }],
        {
          start: 0,
          returnsState: true,
        },
      );
    // Every third reading is a reference the others join as of their time (waiting up to 300 ms of event time).
    const references = counted.filter((x: Seen) => x.id % 3 === 0);
    const tail = counted
      .joinAsof(references, {
        key: 'k',
        timestamp: 't',
        grace: '300ms',
        how: 'left',
        merge: (l: Seen, r: Seen | undefined) => ({ ...l, ref: r?.id ?? -1 }),
      })
      .partition(2, { key: 'k' })
      .apply(
        (pair: (Seen & { ref: number })[], state) => {
          const total = (state.get('total', 0) as number) + pair[0]!.id + pair[1]!.id;
          state.set('total', total);
          return { k: pair[1]!.k, t: pair[1]!.t, v: total + pair[0]!.seq + pair[1]!.seq + pair[0]!.ref + pair[1]!.ref };
        },
        { stateful: true },
      )
      .tumblingWindow('1s', { key: 'k', timestamp: 't', value: 'v', namespace: 'w' })
      .agg({ ids: sum() })
      .final();
    tail.sink((w: any) => {
      out.push(`${w.key}@${w.start}=${w.ids}`);
    });
    const nodes = stateNodesBelow(new Map([['in', source as any]])).checkpointable.map((c) => c.node);
    assert.ok(nodes.every((n) => isCheckpointable(n)) && nodes.length === 5);
    return { source, out, nodes };
  };
  const emit = (g: ReturnType<typeof build>, r: (typeof withOffsets)[number]) =>
    g.source.emit(r, [{ partition: r.partition, kafkaKey: Buffer.from(r.k) }]);
  const reference = build();
  for (const r of withOffsets) emit(reference, r);
  assert.ok(reference.out.length > 100);

  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const store = new MemoryStateStore();
  let g = build();
  const outputs: string[] = [];
  let i = 0;
  const restored = new Set<number>();
  for (let run = 0; run < 4; run++) {
    const covered = new Map<number, number>();
    for (const [k, v] of [...store.entries('offsets', 0)]) covered.set(Number(k), v as number);
    const until = run === 3 ? withOffsets.length : i + 300 + Math.floor(random() * 400);
    let lastCheckpoint = outputs.length;
    for (; i < until; i++) {
      const r = withOffsets[i]!;
      if (r.offset <= (covered.get(r.partition) ?? -1)) continue;
      if (!restored.has(r.partition)) {
        restored.add(r.partition);
        for (const n of g.nodes) n.restorePartition(store, r.partition);
      }
      emit(g, r);
      if (random() < 0.05) {
        store.transaction((tx) => {
          for (const n of g.nodes) n.checkpoint(tx);
          for (let j = 0; j <= i; j++) tx.set('offsets', 0, String(withOffsets[j]!.partition), withOffsets[j]!.offset);
        });
        outputs.push(...g.out.splice(0));
        lastCheckpoint = outputs.length;
        covered.clear();
      }
    }
    if (run === 3) break;
    // Killed: outputs since the last checkpoint are lost (exactly-once), and the input resumes after it.
    outputs.length = lastCheckpoint;
    g.out.length = 0;
    const resumeAt = new Map<number, number>();
    for (const [k, v] of [...store.entries('offsets', 0)]) resumeAt.set(Number(k), v as number);
    i = withOffsets.findIndex((r) => r.offset > (resumeAt.get(r.partition) ?? -1));
    g = build();
    // As an application does: each partition restored just before its first record, others already flowing.
    restored.clear();
  }
  outputs.push(...g.out);
  assert.deepEqual(outputs.sort(), [...reference.out].sort());
});
