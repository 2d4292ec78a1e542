// (b) a sliding mean over a window of 100, N numbers.
import { createRequire } from 'node:module';
import type { RollingNode } from '../../src/core/index.ts';
import { Stream } from '../../src/index.ts';
import { runVariant, type Variant } from '../harness.ts';
import { mostArraySource } from '../most-array-source.ts';

const require = createRequire(import.meta.url);
const W = 100;
const values = (n: number) => Array.from({ length: n }, (_, i) => (i * 7919) % 1000);

const variants: Record<string, Variant> = {
  'loop-ring': (n) => {
    const a = values(n);
    return () => {
      const ring = new Float64Array(W);
      let head = 0;
      let filled = 0;
      let s = 0;
      let last = 0;
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        s += x - ring[head]!;
        ring[head] = x;
        head = head + 1 === W ? 0 : head + 1;
        if (filled < W) filled++;
        if (filled === W) last = s / W;
      }
      return last.toFixed(6);
    };
  },
  // The rolling node is the end of the pipeline and its state is read at the end, as the loop keeps its mean in
  // a local. (A sink writing each mean to a captured variable adds a boxed-number allocation per element.)
  twinstream: (n) => {
    const a = values(n);
    return async () => {
      const source = Stream.fromIterable(a);
      const mean = source.rolling(W, 'mean') as RollingNode;
      source.start();
      await source.done;
      return mean.states.state.value().toFixed(6);
    };
  },
  'twinstream-sink': (n) => {
    const a = values(n);
    return async () => {
      const source = Stream.fromIterable(a);
      let last = 0;
      source.rolling(W, 'mean').sink((v: number) => {
        last = v;
      });
      source.start();
      await source.done;
      return last.toFixed(6);
    };
  },
  'rxjs-scan': (n) => {
    const a = values(n);
    const { from, scan, filter, map } = require('rxjs');
    return () => {
      let last = 0;
      from(a)
        .pipe(
          scan(
            (st: { ring: Float64Array; head: number; filled: number; s: number }, x: number) => {
              st.s += x - st.ring[st.head]!;
              st.ring[st.head] = x;
              st.head = st.head + 1 === W ? 0 : st.head + 1;
              if (st.filled < W) st.filled++;
              return st;
            },
            { ring: new Float64Array(W), head: 0, filled: 0, s: 0 },
          ),
          filter((st: { filled: number }) => st.filled === W),
          map((st: { s: number }) => st.s / W),
        )
        .subscribe((v: number) => {
          last = v;
        });
      return last.toFixed(6);
    };
  },
  // PERF.md's own @most/core variant (../shared/peers/b_sliding.js): a ring-buffer object through scan, then
  // filter full windows, map to the mean, and sum the means.
  'most-core-scan-perf': (n) => {
    const a = values(n);
    const M = require('@most/core');
    const { newDefaultScheduler } = require('@most/scheduler');
    type Ring = { buf: Float64Array; idx: number; n: number; sum: number };
    const ringStep = (st: Ring, x: number) => {
      st.sum += x - st.buf[st.idx]!;
      st.buf[st.idx] = x;
      st.idx = st.idx + 1 === W ? 0 : st.idx + 1;
      st.n++;
      return st;
    };
    const fromArray = mostArraySource();
    return async () => {
      let last = 0;
      const ring: Ring = { buf: new Float64Array(W), idx: 0, n: 0, sum: 0 };
      const means = M.map(
        (st: Ring) => st.sum / W,
        M.filter((st: Ring) => st.n >= W, M.scan(ringStep, ring, fromArray(a))),
      );
      const s = M.tap(
        (v: number) => {
          last = v;
        },
        M.scan((acc: number, x: number) => acc + x, 0, means),
      );
      await M.runEffects(s, newDefaultScheduler());
      return last.toFixed(3);
    };
  },
  'most-core-scan': (n) => {
    const a = values(n);
    const M = require('@most/core');
    const { newDefaultScheduler } = require('@most/scheduler');
    const fromArray = mostArraySource();
    return async () => {
      const ring = new Float64Array(W);
      let head = 0;
      let filled = 0;
      let last = 0;
      const step = (s: number, x: number) => {
        s += x - ring[head]!;
        ring[head] = x;
        head = head + 1 === W ? 0 : head + 1;
        if (filled < W) filled++;
        return s;
      };
      const s = M.tap(
        (v: number) => {
          if (filled === W) last = v / W;
        },
        M.scan(step, 0, fromArray(a)),
      );
      await M.runEffects(s, newDefaultScheduler());
      return last.toFixed(6);
    };
  },
};

await runVariant(variants);
