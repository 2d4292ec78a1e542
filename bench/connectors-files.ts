// File connectors, side by side with the raw library alone in one run (each variant in its own fresh process,
// CPU-time medians):
//   CSV to frames: Stream.fromCsv(path, { as: 'frames' }) against udsv alone (chunks of the same file parsed to
//   typed rows, nothing kept), in MiB/s of a file of (time, float, string) records;
//   Parquet writing: toParquet on row objects (time as TIMESTAMP(MILLIS), float, string) against hyparquet-writer
//   alone fed the same rows turned into columns by a plain loop, in rows/s.
//   node bench/connectors-files.ts [--csv-mib 32] [--rows 1000000] [--reps 5]
//   node --expose-gc bench/connectors-files.ts --child <variant> <size> <reps>
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stream } from '../src/core/index.ts';
import '../src/connectors/files/index.ts';
import '../src/connectors/parquet/index.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};

const SENSORS = ['pump-1', 'pump-2', 'valve-a', 'valve-b', 'motor-7'];

function csvFile(dir: string, mib: number): string {
  const path = join(dir, 'readings.csv');
  const parts = ['time,value,sensor\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < mib * 1048576; i++) {
    const line = `${1_700_000_000_000 + i * 250},${((i * 7919) % 100000) / 7},${SENSORS[i % 5]}\n`;
    parts.push(line);
    size += line.length;
  }
  writeFileSync(path, parts.join(''));
  return path;
}

function rows(n: number): { time: number; value: number; sensor: string }[] {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { time: 1_700_000_000_000 + i * 250, value: i / 7, sensor: SENSORS[i % 5] };
  return out;
}

/** A package shipped without type declarations (the peers of the benchmark only). */
const untyped = (name: string): Promise<unknown> => import(name);

type Variant = (size: number, dir: string) => () => Promise<number>;

const variants: Record<string, Variant> = {
  'csv-udsv': (mib, dir) => {
    const path = csvFile(dir, mib);
    return async () => {
      const { inferSchema, initParser } = await import('udsv');
      let parser: ReturnType<typeof initParser> | null = null;
      let n = 0;
      for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 4 << 20 })) {
        parser ??= initParser(inferSchema(chunk as string));
        parser.chunk(chunk as string, parser.typedArrs as never, (() => void n++) as never);
      }
      parser!.end();
      return statSync(path).size;
    };
  },
  // The other parsers on the same file, each to typed rows (numbers converted) as it is usually called. Only
  // csv-parse tells the line of every record (info.lines); papaparse numbers rows, d3-dsv and udsv neither.
  'csv-parse': (mib, dir) => {
    const path = csvFile(dir, mib);
    return async () => {
      const { parse } = await import('csv-parse');
      let n = 0;
      const parser = createReadStream(path, { highWaterMark: 4 << 20 }).pipe(parse({ cast: true, info: true }));
      for await (const _r of parser) n++;
      if (n === 0) throw new Error('csv-parse read no record');
      return statSync(path).size;
    };
  },
  papaparse: (mib, dir) => {
    const path = csvFile(dir, mib);
    return async () => {
      const { default: Papa } = (await untyped('papaparse')) as {
        default: { parse(input: unknown, config: object): void };
      };
      let n = 0;
      await new Promise<void>((resolve, reject) => {
        Papa.parse(createReadStream(path, { encoding: 'utf8', highWaterMark: 4 << 20 }), {
          dynamicTyping: true,
          step: () => void n++,
          complete: () => resolve(),
          error: reject,
        });
      });
      return statSync(path).size;
    };
  },
  'd3-dsv': (mib, dir) => {
    const path = csvFile(dir, mib);
    return async () => {
      const { csvParseRows } = (await untyped('d3-dsv')) as {
        csvParseRows(text: string, row: (r: string[]) => unknown): unknown[];
      };
      // d3-dsv parses whole texts only: the file read at once.
      const { readFileSync } = await import('node:fs');
      let n = 0;
      csvParseRows(readFileSync(path, 'utf8'), (r) => {
        n++;
        return [+r[0]!, +r[1]!, r[2]];
      });
      if (n === 0) throw new Error('d3-dsv read no record');
      return statSync(path).size;
    };
  },
  'csv-twinstream': (mib, dir) => {
    const path = csvFile(dir, mib);
    return async () => {
      let n = 0;
      const s = Stream.fromCsv(path, { as: 'frames' });
      s.sink((f) => void (n += f.length));
      s.start();
      await s.done;
      return statSync(path).size;
    };
  },
  'parquet-hyparquet-writer': (n, dir) => {
    const data = rows(n);
    return async () => {
      const { fileWriter, ParquetWriter } = await import('hyparquet-writer');
      // Milliseconds as numbers: hyparquet-writer turns TIMESTAMP values into bigints itself.
      const time = new Float64Array(n);
      const value = new Float64Array(n);
      const sensor = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const r = data[i]!;
        time[i] = r.time;
        value[i] = r.value;
        sensor[i] = r.sensor;
      }
      const schema = [
        { name: 'root', num_children: 3 },
        { name: 'time', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' },
        { name: 'value', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
        { name: 'sensor', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ];
      const w = new ParquetWriter({ writer: fileWriter(join(dir, 'raw.parquet')), schema: schema as never });
      for (let start = 0; start < n; start += 100_000) {
        const end = Math.min(n, start + 100_000);
        w.write({
          columnData: [
            { name: 'time', data: time.subarray(start, end) },
            { name: 'value', data: value.subarray(start, end) },
            { name: 'sensor', data: sensor.slice(start, end) },
          ],
          rowGroupSize: end - start,
        });
      }
      w.finish();
      return n;
    };
  },
  'parquet-twinstream': (n, dir) => {
    const data = rows(n);
    return async () => {
      const s = Stream.fromIterable(data);
      s.toParquet(join(dir, 'ts.parquet'), { rowGroupSize: 100_000 });
      s.start();
      await s.done;
      return n;
    };
  },
};

async function child(variant: string, size: number, reps: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ts-bench-files-'));
  try {
    const run = variants[variant]!(size, dir);
    const cpu: number[] = [];
    let units = 0;
    for (let i = 0; i < reps + 1; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      const c0 = process.cpuUsage();
      units = await run();
      const c = process.cpuUsage(c0);
      if (i > 0) cpu.push((c.user + c.system) / 1e6);
    }
    cpu.sort((a, b) => a - b);
    process.stdout.write(`${JSON.stringify({ variant, units, seconds: cpu[cpu.length >> 1] })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measure(variant: string, size: number, reps: number): { units: number; seconds: number } {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', new URL(import.meta.url).pathname, '--child', variant, String(size), String(reps)],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) throw new Error(`${variant} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]));
} else {
  const mib = arg('--csv-mib', 32);
  const n = arg('--rows', 1_000_000);
  const reps = arg('--reps', 5);
  const udsv = measure('csv-udsv', mib, reps);
  const ours = measure('csv-twinstream', mib, reps);
  const others = ['csv-parse', 'papaparse', 'd3-dsv'].map((v) => [v, measure(v, mib, reps)] as const);
  const mibs = (m: { units: number; seconds: number }) => m.units / 1048576 / m.seconds;
  console.log(`| CSV (${mib} MiB, time/float/string) | MiB/s (CPU) | ratio |`);
  console.log('| --- | --- | --- |');
  console.log(`| udsv alone, typed rows | ${mibs(udsv).toFixed(1)} | 1.00 |`);
  for (const [name, m] of others) {
    console.log(`| ${name} alone, typed rows | ${mibs(m).toFixed(1)} | ${(mibs(m) / mibs(udsv)).toFixed(2)} |`);
  }
  console.log(`| twinstream fromCsv to frames | ${mibs(ours).toFixed(1)} | ${(mibs(ours) / mibs(udsv)).toFixed(2)} |`);
  const raw = measure('parquet-hyparquet-writer', n, reps);
  const sink = measure('parquet-twinstream', n, reps);
  const rps = (m: { units: number; seconds: number }) => m.units / m.seconds;
  console.log(`\n| Parquet writing (${n} rows: TIMESTAMP, DOUBLE, STRING) | rows/s (CPU) | ratio |`);
  console.log('| --- | --- | --- |');
  console.log(`| hyparquet-writer alone (columns by a loop) | ${(rps(raw) / 1e6).toFixed(2)}M | 1.00 |`);
  console.log(
    `| twinstream toParquet from row objects | ${(rps(sink) / 1e6).toFixed(2)}M | ${(rps(sink) / rps(raw)).toFixed(2)} |`,
  );
}
