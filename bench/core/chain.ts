// (a) map(x + 1) -> filter(even) -> accumulate(sum) over N integers, and (c) the same across an async sink.
import { createRequire } from 'node:module';
import { type AccumulateNode, enableMetrics } from '../../src/core/index.ts';
import { Stream } from '../../src/index.ts';
import { runVariant, type Variant } from '../harness.ts';
import { mostArraySource } from '../most-array-source.ts';

const require = createRequire(import.meta.url);
const add1 = (x: number) => x + 1;
const even = (x: number) => x % 2 === 0;
const sum = (s: number, x: number) => s + x;
const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
const chunks = (a: number[], size: number) => {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
  return out;
};

const variants: Record<string, Variant> = {
  loop: (n) => {
    const a = numbers(n);
    return () => {
      let s = 0;
      for (let i = 0; i < a.length; i++) {
        const x = a[i]! + 1;
        if (x % 2 === 0) s += x;
      }
      return s;
    };
  },
  // As the peers' reduce: the accumulated state is read at the end (a sink writing it to a captured variable
  // would add a boxed-number allocation per element that the peers do not pay).
  twinstream: (n) => {
    const a = numbers(n);
    return async () => {
      const source = Stream.fromIterable(a);
      const total = source.map(add1).filter(even).accumulate(sum, { start: 0 }) as AccumulateNode<number, number>;
      source.start();
      await source.done;
      return total.state;
    };
  },
  // The same with metrics on: every node counts its elements (and times one in 64), so none is fused.
  'twinstream-metrics': (n) => {
    const a = numbers(n);
    return async () => {
      const source = Stream.fromIterable(a);
      const total = source.map(add1).filter(even).accumulate(sum, { start: 0 }) as AccumulateNode<number, number>;
      enableMetrics([source]);
      source.start();
      await source.done;
      return total.state;
    };
  },
  'twinstream-sink': (n) => {
    const a = numbers(n);
    return async () => {
      const source = Stream.fromIterable(a);
      let last = 0;
      source
        .map(add1)
        .filter(even)
        .accumulate(sum, { start: 0 })
        .sink((v: number) => {
          last = v;
        });
      source.start();
      await source.done;
      return last;
    };
  },
  'twinstream-emit-loop': (n) => {
    const a = numbers(n);
    return () => {
      const source = new Stream<number>();
      const total = source.map(add1).filter(even).accumulate(sum, { start: 0 }) as AccumulateNode<number, number>;
      for (let i = 0; i < a.length; i++) source.emit(a[i]!);
      return total.state;
    };
  },
  rxjs: (n) => {
    const a = numbers(n);
    const { from, map, filter, reduce } = require('rxjs');
    return () => {
      let r = 0;
      from(a)
        .pipe(map(add1), filter(even), reduce(sum, 0))
        .subscribe((v: number) => {
          r = v;
        });
      return r;
    };
  },
  'most-core': (n) => {
    const a = numbers(n);
    const M = require('@most/core');
    const { newDefaultScheduler } = require('@most/scheduler');
    const fromArray = mostArraySource();
    return async () => {
      let last = 0;
      const s = M.tap(
        (v: number) => {
          last = v;
        },
        M.scan(sum, 0, M.filter(even, M.map(add1, fromArray(a)))),
      );
      await M.runEffects(s, newDefaultScheduler());
      return last;
    };
  },
  'most-1x': (n) => {
    const a = numbers(n);
    const most = require('most');
    return () => most.from(a).map(add1).filter(even).reduce(sum, 0);
  },
  highland: (n) => {
    const a = numbers(n);
    const H = require('highland');
    return () =>
      new Promise((resolve, reject) =>
        H(a)
          .map(add1)
          .filter(even)
          .reduce(0, sum)
          .toCallback((e: unknown, v: number) => (e ? reject(e) : resolve(v))),
      );
  },
  // (c) every element crosses an async boundary: the sink returns a promise the source awaits.
  'twinstream-async-sink': (n) => {
    const a = numbers(n);
    return async () => {
      const source = Stream.fromIterable(a);
      let last = 0;
      source
        .map(add1)
        .filter(even)
        .accumulate(sum, { start: 0 })
        .sink(async (v: number) => {
          last = v;
        });
      source.start();
      await source.done;
      return last;
    };
  },
  'async-generators': (n) => {
    const a = numbers(n);
    async function* src(arr: number[]) {
      for (let i = 0; i < arr.length; i++) yield arr[i]!;
    }
    async function* mapG(it: AsyncIterable<number>) {
      for await (const x of it) yield add1(x);
    }
    async function* filterG(it: AsyncIterable<number>) {
      for await (const x of it) if (even(x)) yield x;
    }
    return async () => {
      let s = 0;
      for await (const x of filterG(mapG(src(a)))) s += x;
      return s;
    };
  },
  // (c) in batches of 1,000: the same three stages, each over a whole batch (Int32Arrays, no allocation per
  // batch: the sink awaits each batch, so the next one may reuse the buffers), one async crossing per batch.
  'twinstream-async-batch1k': (n) => {
    const batches = chunks(numbers(n), 1000).map((b) => Int32Array.from(b));
    interface Batch {
      data: Int32Array;
      length: number;
    }
    const scratch: Batch = { data: new Int32Array(1000), length: 0 };
    return async () => {
      const source = Stream.fromIterable(batches);
      let last = 0;
      source
        .map((b: Int32Array): Batch => {
          const out = scratch.data;
          for (let i = 0; i < b.length; i++) out[i] = b[i]! + 1;
          scratch.length = b.length;
          return scratch;
        })
        .map((b: Batch): Batch => {
          const d = b.data;
          let k = 0;
          for (let i = 0; i < b.length; i++) {
            const x = d[i]!;
            if (x % 2 === 0) d[k++] = x;
          }
          b.length = k;
          return b;
        })
        .accumulate(
          (total: number, b: Batch) => {
            const d = b.data;
            for (let i = 0; i < b.length; i++) total += d[i]!;
            return total;
          },
          { start: 0 },
        )
        .sink(async (v: number) => {
          last = v;
        });
      source.start();
      await source.done;
      return last;
    };
  },
  'async-generators-batch1k': (n) => {
    const batches = chunks(numbers(n), 1000);
    async function* src(arr: number[][]) {
      for (const b of arr) yield b;
    }
    async function* mapG(it: AsyncIterable<number[]>) {
      for await (const b of it) yield b.map(add1);
    }
    async function* filterG(it: AsyncIterable<number[]>) {
      for await (const b of it) yield b.filter(even);
    }
    return async () => {
      let s = 0;
      for await (const b of filterG(mapG(src(batches)))) for (let i = 0; i < b.length; i++) s += b[i]!;
      return s;
    };
  },
};

await runVariant(variants);
