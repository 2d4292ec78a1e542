// The hand-written loops bench/frame.ts sets twinstream against: the peers' columnar kernels (verbatim in spirit)
// and baselines written here with their state in locals and typed arrays, and the batches they all read.
import type { Variant } from './harness.ts';

export const WIN = 1000;
export const BATCH = 10_000;
export const ROLL = 100;

export interface Batch {
  ts: Float64Array;
  value: Float64Array;
}

export function batches(n: number): Batch[] {
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

export const SENSORS = ['s0', 's1', 's2', 's3'];

// ---- (c') the peers' columnar kernel, verbatim in spirit: count-based windows of WIN rows, unkeyed.
export interface Cols {
  count: Float64Array;
  min: Float64Array;
  max: Float64Array;
  mean: Float64Array;
}
export function batchWindows(b: Batch): Cols {
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
export const checkCols = (outs: Cols[]) => {
  let c = 0;
  for (const o of outs) for (let w = 0; w < o.count.length; w++) c += o.count[w]! + o.min[w]! + o.max[w]! + o.mean[w]!;
  return c.toFixed(3);
};
export const checkRows = (outs: any[]) => {
  let c = 0;
  for (const o of outs) c += o.count + o.min + o.max + o.mean;
  return c.toFixed(3);
};
// ---- The keyed baseline: 4 keys interleaved, a window per key from the time column, the per-key state in one
// Float64Array (start, end, count, sum, min, max per key; no Map lookup, no boxing per row); a window's record is
// pushed when a row of its key passes its end, the open ones at the end of the input (the rows ascend in time
// here: no late rows to handle). (A pass grouping row numbers by key, then a loop per key, measured slower.)
export const KS = 6;
export function keyedBatch(T: Float64Array, V: Float64Array, codes: Int32Array, S: Float64Array, outs: any[]): void {
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
export function keyedRecord(S: Float64Array, k: number) {
  const b = k * KS;
  const n = S[b + 2]!;
  return { key: SENSORS[k], start: S[b], end: S[b + 1], count: n, min: S[b + 4], max: S[b + 5], mean: S[b + 3]! / n };
}
export function keyedLoop(n: number): () => string {
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

// ---- (b') the ring kernel of b_sliding.js, run per batch: one output per row once the window is full.
export function ringKernel() {
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
export function ringLocalKernel() {
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
export function dequeKernel(isMin: boolean) {
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

export function loopRolling(kernel: () => (b: Batch) => Float64Array): Variant {
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

export const lastSum = (a: ArrayLike<number> | undefined) => {
  let c = 0;
  if (a !== undefined) for (let i = 0; i < a.length; i++) c += a[i]!;
  return c.toFixed(3);
};
