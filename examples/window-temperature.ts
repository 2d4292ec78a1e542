// Event time: five sensors report temperatures late and out of order. Ten-second tumbling windows per sensor, with
// one second of grace, give each sensor's count, mean and max by the time the readings were measured; a reading
// that arrives after its window closed is reported, not silently dropped.
import { count, max, mean, Stream } from '../src/index.ts';

interface Reading {
  timestamp: number; // ms since the start of the run
  sensor: string;
  temperature: number;
}

const readings = new Stream<Reading>();
const windows = readings.tumblingWindow('10s', {
  key: 'sensor',
  value: 'temperature',
  grace: '1s',
  onLate: (l) => console.log(`late: ${l.key} at ${l.timestamp} ms for [${l.start}, ${l.end}), ${l.lateBy} ms behind`),
});
const node = windows.agg({ n: count(), mean: mean(), max: max() }).final();
node.sink((w) => console.log(`${w.key} [${w.start}, ${w.end}): n=${w.n} mean=${w.mean?.toFixed(2)} max=${w.max}`));

// A deterministic feed: every sensor reads every 2 s; the network delays some readings by up to 8 s.
let seed = 42;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
const feed: { arrives: number; reading: Reading }[] = [];
for (let t = 0; t < 30_000; t += 2_000) {
  for (let s = 1; s <= 5; s++) {
    const temperature = Math.round((20 + s + 2 * Math.sin(t / 7_000) + random()) * 10) / 10;
    const delay = random() < 0.2 ? Math.floor(random() * 8_000) : 0;
    feed.push({ arrives: t + delay, reading: { timestamp: t + s * 100, sensor: `sensor-${s}`, temperature } });
  }
}
feed.sort((a, b) => a.arrives - b.arrives);
for (const { reading } of feed) readings.emit(reading);
readings.end(); // the last windows close when the input ends

console.log(`late readings: ${node.late}`);
