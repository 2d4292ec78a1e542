// The Checkpointable contract (test/support/checkpoint-contract.ts) for frame pipelines, over frames from two
// input partitions with times increasing in each partition with some disorder.
import { Frame, StreamingFrame } from '../../src/index.ts';
import { type ContractOptions, checkPipeline, type Item } from '../support/checkpoint-contract.ts';

/** Frames of `rows` rows, partitions 0 and 1 in turn, each partition's times increasing with some disorder. */
export function inputs(count: number, rows: number, seed = 7): Item[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const sensors = ['a', 'b', 'c', 'd'];
  const out: Item[] = [];
  for (let i = 0; i < count; i++) {
    const partition = i % 2;
    const base = Math.floor(i / 2) * rows * 10;
    const frame = Frame.fromRows(
      Array.from({ length: rows }, (_, j) => ({
        ts: Math.max(0, base + j * 10 - Math.floor(rnd() * 30)),
        sensor: sensors[Math.floor(rnd() * (partition === 0 ? 4 : 3))]!,
        v: rnd() < 0.05 ? null : Math.round(rnd() * 1000) / 10,
        w: Math.round(rnd() * 100),
      })),
      { time: 'ts', key: 'sensor' },
    );
    out.push({ x: frame, partition });
  }
  return out;
}

/**
 * Checks a frame pipeline against the contract: `build` makes it on a streaming frame (rows: ts, sensor, v, w) and
 * returns a stream, a streaming frame or a series.
 */
export function checkFramePipeline(
  build: (sf: StreamingFrame) => object,
  options: ContractOptions & { frames?: number; rows?: number } = {},
): void {
  checkPipeline((s) => build(new StreamingFrame(s)), inputs(options.frames ?? 12, options.rows ?? 25), options);
}
