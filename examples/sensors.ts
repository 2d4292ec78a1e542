// A first pipeline: a small digital twin of three temperature sensors, run on embedded defaults with no outside service.
// Readings arrive out of order; the pipeline dead-letters malformed ones, smooths each sensor with a rolling
// mean, batches alarms, and prints what it found. Run: npm run example -- sensors
import { Stream, type StreamErrorInfo } from '../src/index.ts';

interface Reading {
  sensor: string;
  t: number;
  celsius: number;
}

// A seeded generator, so the example prints the same thing every time.
function* readings(count: number): Generator<string> {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < count; i++) {
    const sensor = ['boiler', 'pump', 'valve'][i % 3]!;
    const base = { boiler: 80, pump: 45, valve: 30 }[sensor]!;
    if (i === 17) yield '{"sensor": "pump", "t": 17, "celsius": ';
    else if (i === 31) yield JSON.stringify({ sensor: 'valve', t: 31, celsius: 'hot' });
    else
      yield JSON.stringify({
        sensor,
        t: i,
        celsius: Math.round((base + rand() * 10 + (i > 40 && sensor === 'boiler' ? 15 : 0)) * 10) / 10,
      });
  }
}

function parse(line: string): Reading {
  const r = JSON.parse(line) as Reading;
  if (typeof r.celsius !== 'number') throw new TypeError(`celsius must be a number, got ${JSON.stringify(r.celsius)}`);
  return r;
}

const source = Stream.fromIterable(readings(60), { name: 'sensors' });
const parsed = source.map(parse).named('parse');
const deadLetters: StreamErrorInfo[] = [];
parsed.onError((e) => deadLetters.push(e));

const smoothed = new Map<string, number[]>();
for (const sensor of ['boiler', 'pump', 'valve']) {
  const out: number[] = [];
  parsed
    .filter((r) => r.sensor === sensor)
    .pluck('celsius')
    .rolling(5, 'mean')
    .sink((v) => out.push(v));
  smoothed.set(sensor, out);
}

const alarms = parsed
  .filter((r) => r.sensor === 'boiler' && r.celsius > 92)
  .map((r) => `t=${r.t} ${r.celsius}°C`)
  .partition(3)
  .sinkToList();

source.start();
await source.done;

console.log('three sensors, 60 readings');
for (const [sensor, values] of smoothed) {
  console.log(
    `  ${sensor.padEnd(6)} rolling mean of 5: first ${values[0]!.toFixed(2)}, last ${values.at(-1)!.toFixed(2)} (${values.length} values)`,
  );
}
console.log(`  boiler alarms in groups of 3: ${alarms.map((g) => `[${g.join(', ')}]`).join(' ')}`);
console.log(`  dead-lettered: ${deadLetters.length}`);
for (const d of deadLetters) console.log(`    ${d.error.code} ${d.error.message}`);
console.log(`\nthe graph, in Mermaid:\n${source.toMermaid()}`);
