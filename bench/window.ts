// (c) Event-time tumbling window count/min/max/mean over 1,000 ms, N row objects { ts, value } one ms apart
// (the peers' workload in ../shared/peers/c_tumbling.js), plus the keyed variant (4 sensors) and a 10M-element
// memory run. Every variant runs in its own fresh process; the table gives median and min-max ns/element.
//   node bench/window.ts [--quick]            run all, print the table, save bench/results/window-<date>.json
//   node --expose-gc bench/window.ts <variant> <N> <reps> <warmup>     one variant (what the runner spawns)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { count, max, mean, min, Stream } from '../src/index.ts';
import { runVariant, type Variant } from './harness.ts';

const require = createRequire(import.meta.url);
const WIN = 1000;

interface Row {
  ts: number;
  value: number;
  sensor?: string;
}

function rows(n: number, keyed: boolean): Row[] {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const sensors = ['s0', 's1', 's2', 's3'];
  const out: Row[] = new Array(n);
  for (let i = 0; i < n; i++)
    out[i] = keyed ? { ts: i, value: rnd() * 100, sensor: sensors[i & 3]! } : { ts: i, value: rnd() * 100 };
  return out;
}

interface Agg {
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

const checksum = (outs: Agg[]) => {
  let c = 0;
  for (const o of outs) c += o.count + o.min! + o.max! + o.mean!;
  return c.toFixed(3);
};

function twinstream(keyed: boolean): Variant {
  return (n) => {
    const objs = rows(n, keyed);
    return () => {
      const source = new Stream<Row>();
      const outs: Agg[] = [];
      source
        .tumblingWindow(
          WIN,
          keyed ? { timestamp: 'ts', value: 'value', key: 'sensor' } : { timestamp: 'ts', value: 'value' },
        )
        .agg({ count: count(), min: min(), max: max(), mean: mean() })
        .final()
        .sink((o: any) => void outs.push(o));
      for (let i = 0; i < objs.length; i++) source.emit(objs[i]!);
      source.end(); // closes the last window, as the peers emit their last batch
      return checksum(outs);
    };
  };
}

// The peers' own row kernel: an incremental accumulator per element (count-based, unkeyed: they have no event time).
function rowAcc(emit: (r: Agg) => void) {
  let n = 0;
  let mn = Number.POSITIVE_INFINITY;
  let mx = Number.NEGATIVE_INFINITY;
  let s = 0;
  return (e: Row) => {
    const x = e.value;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
    s += x;
    if (++n === WIN) {
      emit({ count: n, min: mn, max: mx, mean: s / n });
      n = 0;
      mn = Number.POSITIVE_INFINITY;
      mx = Number.NEGATIVE_INFINITY;
      s = 0;
    }
  };
}

const variants: Record<string, Variant> = {
  'loop-objects': (n) => {
    const objs = rows(n, false);
    return () => {
      const outs: Agg[] = [];
      const acc = rowAcc((r) => outs.push(r));
      for (let i = 0; i < objs.length; i++) acc(objs[i]!);
      return checksum(outs);
    };
  },
  // The floor of every row variant: reading each row's value and nothing else (rows are objects on the heap; on a
  // small machine this is bound by memory, not by the work per row).
  'loop-read-only': (n) => {
    const objs = rows(n, false);
    return () => {
      let s = 0;
      for (let i = 0; i < objs.length; i++) s += objs[i]!.value;
      return s.toFixed(3);
    };
  },
  // A hand-written keyed loop: one accumulator per sensor, found through a Map (the 4-key variant's baseline).
  'loop-objects-keyed': (n) => {
    const objs = rows(n, true);
    return () => {
      const outs: Agg[] = [];
      const accs = new Map<string, (e: Row) => void>();
      for (let i = 0; i < objs.length; i++) {
        const e = objs[i]!;
        let acc = accs.get(e.sensor!);
        if (acc === undefined) {
          acc = rowAcc((r) => outs.push(r));
          accs.set(e.sensor!, acc);
        }
        acc(e);
      }
      return checksum(outs);
    };
  },
  twinstream: twinstream(false),
  'twinstream-keyed': twinstream(true),
  'most-core-objects': (n) => {
    const objs = rows(n, false);
    const M = require('@most/core');
    const { newDefaultScheduler, asap } = require('@most/scheduler');
    const emitAll = (t: number, a: Row[], sink: any) => {
      for (let i = 0; i < a.length; i++) sink.event(t, a[i]);
      sink.end(t);
    };
    return () => {
      const outs: Agg[] = [];
      const acc = rowAcc((r) => outs.push(r));
      const s = M.newStream((sink: any, sch: any) => asap(M.propagateTask(emitAll, objs, sink), sch));
      return M.runEffects(M.tap(acc, s), newDefaultScheduler()).then(() => checksum(outs));
    };
  },
  'rxjs-objects': (n) => {
    const objs = rows(n, false);
    const { from, bufferCount, map, toArray } = require('rxjs');
    const aggObjs = (buf: Row[]): Agg => {
      let mn = Number.POSITIVE_INFINITY;
      let mx = Number.NEGATIVE_INFINITY;
      let s = 0;
      for (const e of buf) {
        const x = e.value;
        if (x < mn) mn = x;
        if (x > mx) mx = x;
        s += x;
      }
      return { count: buf.length, min: mn, max: mx, mean: s / buf.length };
    };
    return () => {
      let r: Agg[] = [];
      from(objs)
        .pipe(bufferCount(WIN), map(aggObjs), toArray())
        .subscribe((v: Agg[]) => {
          r = v;
        });
      return checksum(r);
    };
  },
  // 10M elements generated on the fly (no input array): what the window itself costs in memory.
  'twinstream-rss': (n) => () => {
    const source = new Stream<Row>();
    let windows = 0;
    source
      .tumblingWindow(WIN, { timestamp: 'ts', value: 'value', key: 'sensor' })
      .agg({ count: count(), min: min(), max: max(), mean: mean() })
      .final()
      .sink(() => void windows++);
    const sensors = ['s0', 's1', 's2', 's3'];
    for (let i = 0; i < n; i++) source.emit({ ts: i, value: i % 100, sensor: sensors[i & 3]! });
    return `${windows} windows, max RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`;
  },
};

const self = fileURLToPath(import.meta.url);
if (process.argv[2] !== undefined && !process.argv[2].startsWith('--')) {
  await runVariant(variants);
} else {
  const quick = process.argv.includes('--quick');
  const N = quick ? 1e6 : 1e7;
  const reps = quick ? 5 : 7;
  const order = [
    'loop-read-only',
    'loop-objects',
    'twinstream',
    'loop-objects-keyed',
    'twinstream-keyed',
    'most-core-objects',
    'rxjs-objects',
  ];
  const results: Record<string, unknown> = {};
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const rows: { v: string; cpu: number; lo: number; hi: number; wall: number; check: string }[] = [];
  const notes: string[] = [];
  for (const v of order) {
    process.stderr.write(`${v} ...\n`);
    const r = spawnSync(process.execPath, ['--expose-gc', self, v, String(N), String(reps), '2'], { encoding: 'utf8' });
    if (r.status !== 0) {
      notes.push(`${v}: failed: ${r.stderr.slice(0, 200)}`);
      continue;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
    const cpu = res.cpu.map((t: number) => t / N);
    const wall = res.times.map((t: number) => t / N);
    const row = {
      v,
      cpu: median(cpu),
      lo: Math.min(...cpu),
      hi: Math.max(...cpu),
      wall: median(wall),
      check: res.check,
    };
    rows.push(row);
    results[v] = { ...res, nsPerElement: { cpuMedian: row.cpu, cpuMin: row.lo, cpuMax: row.hi, wallMedian: row.wall } };
  }
  const rss = spawnSync(process.execPath, ['--expose-gc', self, 'twinstream-rss', '10000000', '1', '0'], {
    encoding: 'utf8',
  });
  const rssLine = rss.status === 0 ? JSON.parse(rss.stdout.trim().split('\n').pop()!).check : rss.stderr.slice(0, 200);
  results['twinstream-rss'] = rssLine;
  const base = rows.find((r) => r.v === 'twinstream')?.cpu ?? Number.NaN;
  console.log(`\n### (c) tumbling window count/min/max/mean per ${WIN} ms, ${N.toLocaleString('en')} row objects`);
  console.log('\nns/element, CPU time (median of the runs); wall time is longer on a loaded machine.\n');
  console.log('| variant | CPU median | CPU min – max | wall median | × twinstream | check |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.v} | ${r.cpu.toFixed(2)} | ${r.lo.toFixed(2)} – ${r.hi.toFixed(2)} | ${r.wall.toFixed(2)} | ${(r.cpu / base).toFixed(2)} | ${r.check} |`,
    );
  for (const n of notes) console.log(`\n- ${n}`);
  console.log(`\nmemory, 10M elements, 4 keys, generated on the fly: ${rssLine} (target < 200 MB)`);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/window-${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ workload: 'window-rows', n: N, results }, null, 2)}\n`);
  console.log(`saved ${file}`);
}
