// Block pipes: a power meter's samples (timestamps in µs, three phases) go through a pipe, over TCP to a moving
// average, and into a stored stream that refuses overlapping data and reads back as a chart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  blockRows,
  decimateStream,
  LocalPipe,
  MeanFilter,
  PipeServer,
  RemoteOutputPipe,
  readDecimated,
  runModule,
  StreamStore,
} from '../src/pipes/index.ts';

const SECOND = 1_000_000;
const samples = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const t = from + i;
    return [t * SECOND, 230 + (t % 3), 231 - (t % 2), 229 + (t % 4)];
  });

// 1. A local pipe: read what is there, consume part of it, the rest comes back first.
const pipe = new LocalPipe({ layout: 'float32_3', name: 'meter' });
await pipe.write(samples(0, 4));
await pipe.closeInterval(); // the meter went offline
await pipe.write(samples(10, 2));
let block = await pipe.read();
console.log(`read ${block.timestamps.length} rows, end of interval: ${pipe.endOfInterval}`);
pipe.consume(3);
block = await pipe.read();
console.log(`after consuming 3: ${JSON.stringify(blockRows(block))}`);
pipe.consumeAll();
console.log(`next interval: ${JSON.stringify(blockRows(await pipe.read()).map((r) => r[0]! / SECOND))} s`);
try {
  await pipe.write(samples(5, 1));
} catch (e) {
  console.log(`refused: ${(e as Error).message}`);
}

// 2. Over TCP: a remote writer feeds a pipe served on 127.0.0.1; a moving average over 3 rows reads it.
const served = new LocalPipe({ layout: 'float32_3', name: 'meter' });
const averaged = new LocalPipe({ layout: 'float64_3', name: 'meter_mean' });
const server = new PipeServer({ pipes: { meter: served } });
const { port } = await server.start();
const filter = runModule(new MeanFilter(), {
  inputs: { in: served },
  outputs: { out: averaged },
  args: { window: '3' },
});
const remote = new RemoteOutputPipe({ port, stream: 'meter', layout: 'float32_3' });
await remote.write(samples(100, 6));
await remote.close();
await filter;
for (const [t, a, b, c] of blockRows(await averaged.readAll())) {
  console.log(`mean at ${t! / SECOND} s: ${a!.toFixed(2)} ${b!.toFixed(2)} ${c!.toFixed(2)}`);
}
await server.close();

// 3. A stored stream: overlapping rows are refused; an hour at 1 Hz reads back as a 300-point chart.
const dir = mkdtempSync(join(tmpdir(), 'twinstream-pipes-'));
const store = await StreamStore.open({ path: dir });
store.createStream('/plant/line_a/power', 'float32_3');
store.insert('/plant/line_a/power', samples(0, 3600));
try {
  store.insert('/plant/line_a/power', samples(3599, 10));
} catch (e) {
  console.log(`refused: ${(e as Error).message}`);
}
console.log(`intervals: ${JSON.stringify(store.intervals('/plant/line_a/power'))}`);
console.log(`decimation levels: ${decimateStream(store, '/plant/line_a/power').join(', ')}`);
const chart = readDecimated(store, '/plant/line_a/power', { maxRows: 300 });
// A level's row: the timestamp, then the means, the minimums and the maximums of the three phases.
const first = blockRows(chart.block)[0]!;
console.log(`chart: ${chart.block.timestamps.length} points of ${chart.factor} samples each`);
console.log(`phase 1 over the first ${chart.factor} s: mean ${first[1]}, min ${first[4]}, max ${first[7]}`);
await store.close();
rmSync(dir, { recursive: true, force: true });
