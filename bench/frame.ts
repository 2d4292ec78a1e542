// Frames: (c') event-time tumbling window count/min/max/mean per 1,000 ms on Float64Array batches of 10,000 rows
// (window assignment from the time column), and (b') rolling mean/sum/min/max over 100 rows on the same batches;
// side by side with the peers' columnar variants (../shared/peers/c_tumbling.js: loop-columnar, most-core-columnar,
// rxjs-columnar; b_sliding.js' ring kernel run per batch the same three ways) and with the row-object paths of
// src/window and src/core. Every variant runs in its own fresh process.
// Baselines written here, with their state in locals and typed arrays: a keyed columnar loop (per-key window state
// in typed arrays, no Map or boxing per row), a ring loop (the sum in a local, not in a closure) and a monotonic-deque
// loop for rolling min/max. Each writes the same output as the twinstream variant it is set against (a Float64Array
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
import { count, DictionaryColumn, Frame, max, mean, min, Stream, StreamingFrame } from '../src/index.ts';
import { runVariant, type Variant } from './harness.ts';

const require = createRequire(import.meta.url);
const WIN = 1000;
const BATCH = 10_000;
const ROLL = 100;

interface Batch {
  ts: Float64Array;
  value: Float64Array;
}

function batches(n: number): Batch[] {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: Batch[] = [];
  for (let b = 0; b < n / BATCH; b++) {
    const ts = new Float64Array(BATCH);
    const value = new Float64Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      ts[i] = b * BATCH + i;
      value[i] = rnd() * 100;
    }
    out.push({ ts, value });
  }
  return out;
}

const SENSORS = ['s0', 's1', 's2', 's3'];
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

// ---- (c') the peers' columnar kernel, verbatim in spirit: count-based windows of WIN rows, unkeyed.
interface Cols {
  count: Float64Array;
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
}
function batchWindows(b: Batch): Cols {
  const nw = b.value.length / WIN;
  const o = {
    count: new Float64Array(nw),
    min: new Float64Array(nw),
    max: new Float64Array(nw),
    mean: new Float64Array(nw),
  };
  for (let w = 0; w < nw; w++) {
    let mn = Number.POSITIVE_INFINITY;
    let mx = Number.NEGATIVE_INFINITY;
    let s = 0;
    const v = b.value;
    for (let i = w * WIN; i < (w + 1) * WIN; i++) {
      const x = v[i]!;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
      s += x;
    }
    o.count[w] = WIN;
    o.min[w] = mn;
    o.max[w] = mx;
    o.mean[w] = s / WIN;
  }
  return o;
}
const checkCols = (outs: Cols[]) => {
  let c = 0;
  for (const o of outs) for (let w = 0; w < o.count.length; w++) c += o.count[w]! + o.min[w]! + o.max[w]! + o.mean[w]!;
  return c.toFixed(3);
};
const checkRows = (outs: any[]) => {
  let c = 0;
  for (const o of outs) c += o.count + o.min + o.max + o.mean;
  return c.toFixed(3);
};
// ---- The keyed baseline: 4 keys interleaved, a window per key from the time column, the per-key state in one
// Float64Array (start, end, count, sum, min, max per key; no Map lookup, no boxing per row); a window's record is
// pushed when a row of its key passes its end, the open ones at the end of the input (the rows ascend in time
// here: no late rows to handle). (A pass grouping row numbers by key, then a loop per key, measured slower.)
const KS = 6;
function keyedBatch(T: Float64Array, V: Float64Array, codes: Int32Array, S: Float64Array, outs: any[]): void {
  for (let i = 0; i < T.length; i++) {
    const k = codes[i]!;
    const t = T[i]!;
    const b = k * KS;
    if (t >= S[b + 1]!) {
      if (S[b + 2]! > 0) outs.push(keyedRecord(S, k));
      const s0 = Math.floor(t / WIN) * WIN;
      S[b] = s0;
      S[b + 1] = s0 + WIN;
      S[b + 2] = 0;
      S[b + 3] = 0;
      S[b + 4] = Number.POSITIVE_INFINITY;
      S[b + 5] = Number.NEGATIVE_INFINITY;
    }
    const x = V[i]!;
    S[b + 2]++;
    S[b + 3] += x;
    if (x < S[b + 4]!) S[b + 4] = x;
    if (x > S[b + 5]!) S[b + 5] = x;
  }
}
function keyedRecord(S: Float64Array, k: number) {
  const b = k * KS;
  const n = S[b + 2]!;
  return { key: SENSORS[k], start: S[b], end: S[b + 1], count: n, min: S[b + 4], max: S[b + 5], mean: S[b + 3]! / n };
}
function keyedLoop(n: number): () => string {
  const bs = batches(n);
  const codes = Int32Array.from({ length: BATCH }, (_, i) => i & 3);
  const K = SENSORS.length;
  return () => {
    const S = new Float64Array(K * KS);
    for (let k = 0; k < K; k++) S[k * KS + 1] = Number.NEGATIVE_INFINITY;
    const outs: any[] = [];
    for (let b = 0; b < bs.length; b++) keyedBatch(bs[b]!.ts, bs[b]!.value, codes, S, outs);
    for (let k = 0; k < K; k++) if (S[k * KS + 2]! > 0) outs.push(keyedRecord(S, k));
    return checkRows(outs);
  };
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

// ---- (b') the ring kernel of b_sliding.js, run per batch: one output per row once the window is full.
function ringKernel() {
  const ring = new Float64Array(ROLL);
  let head = 0;
  let filled = 0;
  let s = 0;
  return (b: Batch): Float64Array => {
    const v = b.value;
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      s += x - ring[head]!;
      ring[head] = x;
      head = head + 1 === ROLL ? 0 : head + 1;
      if (filled < ROLL) filled++;
      out[i] = filled === ROLL ? s / ROLL : Number.NaN;
    }
    return out;
  };
}
// ---- The ring kernel with its state in locals during a batch (written back after it): the closure's variables
// above live in a context, and a double stored there is boxed at every row.
function ringLocalKernel() {
  const ring = new Float64Array(ROLL);
  const st = { head: 0, filled: 0, s: 0 };
  return (b: Batch): Float64Array => {
    const v = b.value;
    const out = new Float64Array(v.length);
    let { head, filled, s } = st;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      s += x - ring[head]!;
      ring[head] = x;
      head = head + 1 === ROLL ? 0 : head + 1;
      if (filled < ROLL) filled++;
      out[i] = filled === ROLL ? s / ROLL : Number.NaN;
    }
    st.head = head;
    st.filled = filled;
    st.s = s;
    return out;
  };
}

// ---- Rolling min/max over ROLL rows with a monotonic deque (values and row numbers in rings), state in locals.
function dequeKernel(isMin: boolean) {
  const dv = new Float64Array(ROLL);
  const ds = new Float64Array(ROLL);
  const st = { head: 0, size: 0, seq: 0 };
  return (b: Batch): Float64Array => {
    const v = b.value;
    const out = new Float64Array(v.length);
    let { head, size, seq } = st;
    for (let i = 0; i < v.length; i++, seq++) {
      const x = v[i]!;
      let tail = head + size;
      if (tail >= ROLL) tail -= ROLL;
      // Pop the back while it is no better than x (the newer value wins ties).
      while (size > 0) {
        const back = tail === 0 ? ROLL - 1 : tail - 1;
        const y = dv[back]!;
        if (isMin ? y < x : y > x) break;
        tail = back;
        size--;
      }
      dv[tail] = x;
      ds[tail] = seq;
      size++;
      if (ds[head]! <= seq - ROLL) {
        head = head + 1 === ROLL ? 0 : head + 1;
        size--;
      }
      out[i] = seq >= ROLL - 1 ? dv[head]! : Number.NaN;
    }
    st.head = head;
    st.size = size;
    st.seq = seq;
    return out;
  };
}

function loopRolling(kernel: () => (b: Batch) => Float64Array): Variant {
  return (n) => {
    const bs = batches(n);
    return () => {
      const k = kernel();
      let last: Float64Array | undefined;
      for (const b of bs) last = k(b);
      return lastSum(last);
    };
  };
}

const lastSum = (a: ArrayLike<number> | undefined) => {
  let c = 0;
  if (a !== undefined) for (let i = 0; i < a.length; i++) c += a[i]!;
  return c.toFixed(3);
};

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
