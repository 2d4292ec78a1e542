// The simulation kernel against its peers, side by side in one run: 1000 processes each looping
// `yield timeout(expo())` until 2M timeout events are processed (PERF.md workload d). Every variant runs in its own
// fresh process, one after another; the table gives the median and min–max ns per event, events/s, and our ratio
// to each peer. Times are CPU time of the benchmark process (user + system): the machines here are shared, and CPU
// time is far less disturbed by other work than wall time (both are saved). Results go under bench/results/.
//   node bench/sim-kernel.ts [--events 2000000] [--reps 5] [--warmup 2]
//   node --expose-gc bench/sim-kernel.ts --child <variant> <events> <reps> <warmup>   (one variant, one JSON line)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Environment } from '../src/sim/index.ts';

const PROCESSES = 1000;

// The peers' seeded generator, so every JS variant draws the same numbers and ends at the same time.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const makeExpo = (): (() => number) => {
  const r = mulberry32(42);
  return () => -Math.log(1 - r());
};

const variants: Record<string, (events: number) => () => number> = {
  // ours: generator processes on the SimPy-semantics kernel
  twinstream: (events) => () => {
    const expo = makeExpo();
    const env = new Environment();
    function* proc() {
      for (;;) yield env.timeout(expo());
    }
    for (let p = 0; p < PROCESSES; p++) env.process(proc());
    for (let i = 0; i < PROCESSES + events; i++) env.step();
    return env.now;
  },
  // npm simjs 2.0.3: callback entities, setTimer(d).done(cb)
  simjs: (events) => {
    const g = globalThis as any;
    g.window ??= {};
    createRequire(import.meta.url)('simjs');
    const { Sim, Entity } = g.window.Sim;
    return () => {
      const expo = makeExpo();
      const sim = new Sim();
      class Proc extends Entity {
        start() {
          this.setTimer(expo()).done(this.tick, this);
        }
        tick() {
          this.setTimer(expo()).done(this.tick, this);
        }
      }
      for (let p = 0; p < PROCESSES; p++) sim.addEntity(Proc);
      sim.simulate(Number.POSITIVE_INFINITY, events);
      return sim.time();
    };
  },
  // the floor: a struct-of-arrays heap and a plain loop, no events, no generators
  'floor (typed-array heap, no generators)': (events) => () => {
    const expo = makeExpo();
    const T = new Float64Array(PROCESSES + 1);
    const S = new Float64Array(PROCESSES + 1);
    const ID = new Int32Array(PROCESSES + 1);
    let n = 0;
    let seq = 0;
    let now = 0;
    const push = (t: number, id: number) => {
      const s = seq++;
      let i = n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (T[p]! < t || (T[p] === t && S[p]! < s)) break;
        T[i] = T[p]!;
        S[i] = S[p]!;
        ID[i] = ID[p]!;
        i = p;
      }
      T[i] = t;
      S[i] = s;
      ID[i] = id;
    };
    const pop = () => {
      const id = ID[0]!;
      now = T[0]!;
      n--;
      if (n === 0) return id;
      const t = T[n]!;
      const s = S[n]!;
      const d = ID[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && (T[c + 1]! < T[c]! || (T[c + 1] === T[c] && S[c + 1]! < S[c]!))) c++;
        if (t < T[c]! || (t === T[c] && s < S[c]!)) break;
        T[i] = T[c]!;
        S[i] = S[c]!;
        ID[i] = ID[c]!;
        i = c;
      }
      T[i] = t;
      S[i] = s;
      ID[i] = d;
      return id;
    };
    for (let p = 0; p < PROCESSES; p++) push(expo(), p);
    for (let k = 0; k < events; k++) {
      const id = pop();
      push(now + expo(), id);
    }
    return now;
  },
};

interface Result {
  variant: string;
  n: number;
  times: number[];
  cpu: number[];
  check: string;
  version?: string;
}

async function child(name: string, events: number, reps: number, warmup: number): Promise<void> {
  const make = variants[name];
  if (make === undefined) throw new Error(`unknown variant ${name}; have ${Object.keys(variants).join(', ')}`);
  const run = make(events);
  const times: number[] = [];
  const cpu: number[] = [];
  let check = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < warmup + reps; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 30)); // let background GC settle (two cores)
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    check = run();
    const t1 = process.hrtime.bigint();
    const c = process.cpuUsage(c0);
    if (i >= warmup) {
      times.push(Number(t1 - t0));
      cpu.push((c.user + c.system) * 1000);
    }
  }
  process.stdout.write(`${JSON.stringify({ variant: name, n: events, times, cpu, check: String(check) })}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function orchestrate(events: number, reps: number, warmup: number): void {
  const results: Result[] = [];
  const self = new URL(import.meta.url).pathname;
  const runs: [string, string, string[]][] = [
    ...Object.keys(variants).map((v): [string, string, string[]] => [
      v,
      process.execPath,
      ['--expose-gc', self, '--child', v],
    ]),
    ['simpy', 'python3', [new URL('./sim-kernel-simpy.py', import.meta.url).pathname]],
  ];
  for (const [name, cmd, args] of runs) {
    const r = spawnSync(cmd, [...args, String(events), String(reps), String(warmup)], {
      encoding: 'utf8',
      timeout: 900_000,
    });
    if (r.status !== 0) {
      console.error(`${name}: FAILED (${r.error?.message ?? r.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
    res.variant = name;
    results.push(res);
    process.stderr.write(`${name} done\n`);
  }
  const ours = results.find((r) => r.variant === 'twinstream');
  const ns = (r: Result, t: number) => t / r.n;
  console.log(
    `\nsimulation kernel: ${PROCESSES} processes, ${events.toLocaleString('en')} timeout events, ${reps} runs each (after ${warmup} warm-up)\n`,
  );
  console.log(
    '| variant | median ns/event (CPU) | min–max | events/s (median) | ours is faster by | wall median ns/event |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const med = ns(r, median(r.cpu));
    const ratio = ours ? med / ns(ours, median(ours.cpu)) : Number.NaN;
    const label = r.version ? `${r.variant} ${r.version}` : r.variant;
    console.log(
      `| ${label} | ${med.toFixed(1)} | ${ns(r, Math.min(...r.cpu)).toFixed(1)}–${ns(r, Math.max(...r.cpu)).toFixed(1)} | ${(1e9 / med / 1e6).toFixed(2)}M | ${r.variant === 'twinstream' ? '—' : `${ratio.toFixed(2)}×`} | ${ns(r, median(r.times)).toFixed(1)} |`,
    );
  }
  // simjs counts its events differently (it stops one batch earlier), so only ours and the floor must agree.
  const checks = new Set(
    results
      .filter((r) => r.variant === 'twinstream' || r.variant.startsWith('floor'))
      .map((r) => Number(r.check).toFixed(9)),
  );
  console.log(
    `\nours and the floor end at the same simulated time: ${checks.size === 1 ? 'yes' : `no (${[...checks].join(', ')})`}`,
  );
  const dir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  const file = `${dir}sim-kernel-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ workload: 'sim-kernel', processes: PROCESSES, events, reps, warmup, node: process.version, results }, null, 2)}\n`,
  );
  console.log(`saved ${file}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await child(argv[1]!, Number(argv[2]), Number(argv[3]), Number(argv[4]));
} else {
  const opt = (name: string, def: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : def;
  };
  orchestrate(opt('events', 2_000_000), opt('reps', 5), opt('warmup', 2));
}
