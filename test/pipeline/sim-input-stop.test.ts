// A `sim` input stops like any other: `for` (and SIGTERM, through the same stop) ends a paced simulation where it
// is, and the outputs are complete.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runPipeline } from '../../src/pipeline/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'twinstream-sim-input-stop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Line_A paced at real time for a day: only a stop ends it within the test.
writeFileSync(
  join(dir, 'paced.yaml'),
  `inputs:
  - { type: sim, model: ${join(ROOT, 'examples/models/line-a.yaml')}, until: 1d, factor: 1, streams: [event] }
outputs:
  - { type: jsonl, path: events.jsonl }
`,
);

const lines = () => readFileSync(join(dir, 'events.jsonl'), 'utf8');

test('for stops a paced sim input: the run ends, and every record it emitted is in the output file', async () => {
  const t0 = performance.now();
  const summary = await runPipeline(join(dir, 'paced.yaml'), { outDir: dir, for: '1500ms' });
  const wall = performance.now() - t0;
  assert.ok(wall >= 1400 && wall < 10_000, String(wall));
  const text = lines();
  assert.ok(text.endsWith('\n'));
  const rows = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { stream_type: string; sim_ts: number });
  assert.equal(rows.length, summary.emitted);
  assert.ok(rows.length > 0);
  assert.ok(rows.every((r) => r.stream_type === 'event' && r.sim_ts < 60));
});

test('SIGTERM stops twinstream run with a sim input: exit code 0 and a complete output file', async () => {
  rmSync(join(dir, 'events.jsonl'), { force: true });
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'run', join(dir, 'paced.yaml'), '--out', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // The output file opens with its first batch, at the stop: give the paced run a few seconds of records first.
  await new Promise((r) => setTimeout(r, 4000));
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  const text = lines();
  assert.ok(text.endsWith('\n'));
  assert.ok(
    text
      .trim()
      .split('\n')
      .every((l) => (JSON.parse(l) as { stream_type: string }).stream_type === 'event'),
  );
});
