// Frames: (c') event-time tumbling window count/min/max/mean per 1,000 ms on Float64Array batches of 10,000 rows
// (window assignment from the time column), and (b') rolling mean/sum/min/max over 100 rows on the same batches;
// side by side with the peers' columnar variants (../shared/peers/c_tumbling.js: loop-columnar, most-core-columnar,
// rxjs-columnar; b_sliding.js' ring kernel run per batch the same three ways) and with the row-object paths of
// src/window and src/core. Every variant runs in its own fresh process.
// Baselines (bench/frame-loops.ts), with their state in locals and typed arrays: a keyed columnar loop (per-key
// window state in typed arrays, no Map or boxing per row), a ring loop (the sum in a local, not in a closure) and a
// monotonic-deque loop for rolling min/max. Each writes the same output as the twinstream variant it is set against (a Float64Array
// per batch for rolling; a record per window for tumbling).
// Steady state: each run's pipeline is kept alive until the next run has built its own. When every object of a
// shape dies (the harness collects garbage between runs), V8 drops the shape and deoptimizes all code that was
// specialised to it, so a fresh pipeline after a collection measured mostly recompilation (on another thread, but
// counted in the process CPU time); a streaming pipeline lives for the whole process.
//   node bench/frame.ts [--quick] [--rounds R]    run all, print the tables, save bench/results/frame-<date>.json
//   node --expose-gc bench/frame.ts <variant> <N> <reps> <warmup>      one variant (what the runner spawns)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { DictionaryColumn } from '../src/frame/index.ts';
import { count, Frame, max, mean, min, Stream, StreamingFrame } from '../src/index.ts';
import {
  BATCH,
  batches,
  batchWindows,
  type Cols,
  checkCols,
  checkRows,
  dequeKernel,
  keyedLoop,
  lastSum,
  loopRolling,
  ROLL,
  ringKernel,
  ringLocalKernel,
  SENSORS,
  WIN,
} from './frame-loops.ts';
import { runVariant, type Variant } from './harness.ts';

const require = createRequire(import.meta.url);
function frames(n: number, keyed: boolean): Frame[] {
  return batches(n).map((b) => {
    const cols: Record<string, Float64Array | DictionaryColumn> = { value: b.value };
    if (keyed)
      cols.sensor = new DictionaryColumn(
        Int32Array.from({ length: BATCH }, (_, i) => i & 3),
        SENSORS,
      );
    return new Frame(cols, b.ts, 'ts', keyed ? 'sensor' : null);
  });
}

function mostFromArray(arr: unknown[]) {
  const M = require('@most/core');
  const { asap } = require('@most/scheduler');
  const emitAll = (t: number, a: unknown[], sink: any) => {
    for (let i = 0; i < a.length; i++) sink.event(t, a[i]);
    sink.end(t);
  };
  return M.newStream((sink: any, sch: any) => asap(M.propagateTask(emitAll, arr, sink), sch));
}

/** The previous run's pipeline (see the header: steady state). */
const keepAlive: { last: unknown } = { last: null };

const tumblingAggs = () => ({ count: count(), min: min('value'), max: max('value'), mean: mean('value') });

function frameTumbling(keyed: boolean): Variant {
  return (n) => {
    const fs = frames(n, keyed);
    return () => {
      const sf = new StreamingFrame();
      const outs: any[] = [];
      sf.tumblingWindow(WIN, keyed ? { key: 'sensor' } : {})
        .agg(tumblingAggs())
        .final()
        .sink((o) => void outs.push(o));
      for (let i = 0; i < fs.length; i++) sf.emit(fs[i]!);
      sf.end();
      keepAlive.last = sf;
      return checkRows(outs);
    };
  };
}

function frameRolling(kind: 'mean' | 'sum' | 'min' | 'max'): Variant {
  return (n) => {
    const fs = frames(n, false);
    return () => {
      const sf = new StreamingFrame();
      let last: Float64Array | undefined;
      sf.rolling(ROLL)
        [kind]()
        .stream.sink((f: Frame) => {
          last = f.numeric('value') as Float64Array;
        });
      for (let i = 0; i < fs.length; i++) sf.emit(fs[i]!);
      keepAlive.last = sf;
      return lastSum(last);
    };
  };
}

const variants: Record<string, Variant> = {
  // (c') tumbling
  'loop-columnar': (n) => {
    const bs = batches(n);
    return () => checkCols(bs.map(batchWindows));
  },
  'twinstream-frame': frameTumbling(false),
  'twinstream-frame-keyed': frameTumbling(true),
  'loop-columnar-keyed': keyedLoop,
  'most-core-columnar': (n) => {
    const bs = batches(n);
    const M = require('@most/core');
    const { newDefaultScheduler } = require('@most/scheduler');
    return () => {
      const outs: Cols[] = [];
      return M.runEffects(
        M.tap((o: Cols) => outs.push(o), M.map(batchWindows, mostFromArray(bs))),
        newDefaultScheduler(),
      ).then(() => checkCols(outs));
    };
  },
  'rxjs-columnar': (n) => {
    const bs = batches(n);
    const { from, map, toArray } = require('rxjs');
    return () => {
      let r: Cols[] = [];
      from(bs)
        .pipe(map(batchWindows), toArray())
        .subscribe((v: Cols[]) => {
          r = v;
        });
      return checkCols(r);
    };
  },
  'twinstream-rows': (n) => {
    const objs: { ts: number; value: number }[] = [];
    for (const b of batches(n)) for (let i = 0; i < BATCH; i++) objs.push({ ts: b.ts[i]!, value: b.value[i]! });
    return () => {
      const source = new Stream<{ ts: number; value: number }>();
      const outs: any[] = [];
      source
        .tumblingWindow(WIN, { timestamp: 'ts', value: 'value' })
        .agg({ count: count(), min: min(), max: max(), mean: mean() })
        .final()
        .sink((o: any) => void outs.push(o));
      for (let i = 0; i < objs.length; i++) source.emit(objs[i]!);
      source.end();
      keepAlive.last = source;
      return checkRows(outs);
    };
  },
  // (b') rolling over 100 rows
  'loop-columnar-ring': (n) => {
    const bs = batches(n);
    return () => {
      const k = ringKernel();
      let last: Float64Array | undefined;
      for (const b of bs) last = k(b);
      return lastSum(last);
    };
  },
  'loop-ring-local': loopRolling(ringLocalKernel),
  'loop-deque-min': loopRolling(() => dequeKernel(true)),
  'loop-deque-max': loopRolling(() => dequeKernel(false)),
  'twinstream-rolling-mean': frameRolling('mean'),
  'twinstream-rolling-sum': frameRolling('sum'),
  'twinstream-rolling-min': frameRolling('min'),
  'twinstream-rolling-max': frameRolling('max'),
  'most-core-columnar-ring': (n) => {
    const bs = batches(n);
    const M = require('@most/core');
    const { newDefaultScheduler } = require('@most/scheduler');
    return () => {
      let last: Float64Array | undefined;
      const s = M.tap(
        (o: Float64Array) => {
          last = o;
        },
        M.map(ringKernel(), mostFromArray(bs)),
      );
      return M.runEffects(s, newDefaultScheduler()).then(() => lastSum(last));
    };
  },
  'rxjs-columnar-ring': (n) => {
    const bs = batches(n);
    const { from, map } = require('rxjs');
    return () => {
      let last: Float64Array | undefined;
      from(bs)
        .pipe(map(ringKernel()))
        .subscribe((v: Float64Array) => {
          last = v;
        });
      return lastSum(last);
    };
  },
  'twinstream-rows-rolling-mean': (n) => {
    const values: number[] = [];
    for (const b of batches(n)) for (let i = 0; i < BATCH; i++) values.push(b.value[i]!);
    return () => {
      const source = new Stream<number>();
      let last = 0;
      source.rolling(ROLL, 'mean').sink((v: number) => {
        last = v;
      });
      for (let i = 0; i < values.length; i++) source.emit(values[i]!);
      keepAlive.last = source;
      return last.toFixed(6);
    };
  },
};

interface Table {
  title: string;
  target: number;
  base: string;
  /** The hand-written loop each variant is set against (the "× loop" column). */
  vs: Record<string, string>;
  variants: string[];
}

const tables: Table[] = [
  {
    title: `(c') tumbling window count/min/max/mean per ${WIN} ms on Float64Array batches of ${BATCH}`,
    target: 2,
    base: 'twinstream-frame',
    vs: { 'twinstream-frame-keyed': 'loop-columnar-keyed', 'loop-columnar-keyed': 'loop-columnar-keyed' },
    variants: [
      'loop-columnar',
      'twinstream-frame',
      'loop-columnar-keyed',
      'twinstream-frame-keyed',
      'most-core-columnar',
      'rxjs-columnar',
      'twinstream-rows',
    ],
  },
  {
    title: `(b') rolling aggregate over ${ROLL} rows on Float64Array batches of ${BATCH}`,
    target: 2,
    base: 'twinstream-rolling-mean',
    vs: {
      'loop-deque-min': 'loop-deque-min',
      'twinstream-rolling-min': 'loop-deque-min',
      'loop-deque-max': 'loop-deque-max',
      'twinstream-rolling-max': 'loop-deque-max',
    },
    variants: [
      'loop-ring-local',
      'loop-columnar-ring',
      'twinstream-rolling-mean',
      'twinstream-rolling-sum',
      'loop-deque-min',
      'twinstream-rolling-min',
      'loop-deque-max',
      'twinstream-rolling-max',
      'most-core-columnar-ring',
      'rxjs-columnar-ring',
      'twinstream-rows-rolling-mean',
    ],
  },
];

const self = fileURLToPath(import.meta.url);
if (process.argv[2] !== undefined && !process.argv[2].startsWith('--')) {
  await runVariant(variants);
} else {
  const quick = process.argv.includes('--quick');
  // --rounds R: every variant of a table runs R times, in turn (a load that comes and goes on a shared machine
  // then weighs on all of them alike); the runs of all rounds are pooled.
  const ri = process.argv.indexOf('--rounds');
  const rounds = ri > 0 ? Math.max(1, Number(process.argv[ri + 1]) || 1) : 1;
  const N = quick ? 1e6 : 1e7;
  const reps = quick ? 5 : 7;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const saved: Record<string, unknown> = {};
  for (const t of tables) {
    const runs = new Map<string, { cpu: number[]; times: number[]; check: string }>();
    const notes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const v of t.variants) {
        process.stderr.write(`${v} ...\n`);
        const r = spawnSync(process.execPath, ['--expose-gc', self, v, String(N), String(reps), '2'], {
          encoding: 'utf8',
          timeout: 600_000,
        });
        if (r.status !== 0) {
          notes.push(`${v}: failed: ${(r.stderr || '').slice(0, 300)}`);
          continue;
        }
        const res = JSON.parse(r.stdout.trim().split('\n').pop()!);
        const got = runs.get(v) ?? { cpu: [] as number[], times: [] as number[], check: String(res.check) };
        got.cpu.push(...res.cpu);
        got.times.push(...res.times);
        runs.set(v, got);
      }
    }
    const rows: { v: string; med: number; lo: number; hi: number; wall: number; check: string }[] = [];
    for (const [v, res] of runs) {
      const ns = res.cpu.map((x: number) => x / N);
      const wall = median(res.times.map((x: number) => x / N));
      rows.push({ v, med: median(ns), lo: Math.min(...ns), hi: Math.max(...ns), wall, check: res.check });
      saved[v] = {
        ...res,
        nsPerElement: { cpuMedian: median(ns), cpuMin: Math.min(...ns), cpuMax: Math.max(...ns), wallMedian: wall },
      };
    }
    const med = (v: string) => rows.find((r) => r.v === v)?.med ?? Number.NaN;
    const base = med(t.base);
    const loop = (v: string) => t.vs[v] ?? t.variants[0]!;
    console.log(`\n### ${t.title} — N = ${N.toLocaleString('en')}, target ≤ ${t.target} ns/element\n`);
    console.log(
      `ns/element, CPU time (median of the runs${rounds > 1 ? `, ${rounds} rounds` : ''}); wall time is longer on a loaded machine. × loop: against ${t.variants[0]} unless named.\n`,
    );
    console.log('| variant | CPU median | CPU min – max | wall median | × twinstream | × loop | check |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const l = loop(r.v);
      const vsLoop = `${(r.med / med(l)).toFixed(2)}${l === t.variants[0] ? '' : ` (${l})`}`;
      console.log(
        `| ${r.v} | ${r.med.toFixed(2)} | ${r.lo.toFixed(2)} – ${r.hi.toFixed(2)} | ${r.wall.toFixed(2)} | ${(r.med / base).toFixed(2)} | ${vsLoop} | ${r.check} |`,
      );
    }
    for (const n of notes) console.log(`\n- ${n}`);
  }
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/frame-${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ node: process.version, n: N, quick, rounds, results: saved }, null, 2)}\n`);
  console.log(`\nsaved ${file}`);
}
