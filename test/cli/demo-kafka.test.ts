// `twinstream demo --kafka <bootstrap>` against the broker the test setup starts: the simulation's records go to a
// topic and come back through a consumer into the same pipeline, whose results read back as the in-process demo's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { kafkaBrokers } from '../kafka-setup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-demo-kafka-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const read = async (file: string) => parquetReadObjects({ file: await asyncBufferFromFile(file) });

test('demo --kafka moves every record through the broker and back into the pipeline', {
  timeout: 300_000,
}, async (t) => {
  const brokers = await kafkaBrokers();
  const child = spawn(process.execPath, [MAIN, 'demo', '--until', '1h', '--kafka', brokers.join(',')], { cwd: dir });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, stderr);
  for (const line of stdout.split('\n').filter((l) => /events simulated|rows written|through Kafka/.test(l))) {
    t.diagnostic(line.trim());
  }
  const m = /through Kafka\s+([\d,]+) produced to (twinstream-demo-records-\S+), ([\d,]+) consumed/.exec(stdout);
  assert.ok(m, stdout);
  const produced = Number(m[1]!.replaceAll(',', ''));
  assert.equal(Number(m[3]!.replaceAll(',', '')), produced);
  assert.match(stdout, new RegExp(`records streamed\\s+${m[1]}`));

  // The same windows as in-process: four sensors, 60 minutes each, 12 samples a window.
  const windows = await read(join(dir, 'twinstream-out', 'windows.parquet'));
  assert.equal(windows.length, 4 * 60);
  assert.ok(windows.every((w) => Number(w.count) === 12 && Number(w.min) <= Number(w.mean)));
  const telemetry = await read(join(dir, 'twinstream-out', 'telemetry.parquet'));
  const events = await read(join(dir, 'twinstream-out', 'events.parquet'));
  assert.equal(telemetry.length + events.length, produced, 'every record the simulation published went through');
});
