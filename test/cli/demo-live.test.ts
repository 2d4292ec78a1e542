// `twinstream demo --live` as a user runs it: a child process paced at 200 simulated seconds a second serving the
// dashboard; while it runs, /metrics and /api/state answer from the live pipeline; at the end its Parquet files
// read back like the unpaced demo's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { serveDashboard } from './dashboard-child.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-demo-live-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const read = async (file: string) => parquetReadObjects({ file: await asyncBufferFromFile(file) });

test('demo --live serves the dashboard while the paced run goes on, then writes its files', async () => {
  const { url, exited, stdout, stderr } = await serveDashboard(
    ['demo', '--live', '--speed', '200', '--until', '30m', '--port', '0'],
    { cwd: dir },
  );
  const t0 = performance.now();
  // Paced: 30 simulated minutes at 200x take about 9 s; the dashboard answers meanwhile.
  const metrics = await (await fetch(`${url}metrics`)).text();
  assert.match(metrics, /^# TYPE twinstream_node_elements_in_total counter$/m);
  assert.match(metrics, /^twinstream_node_elements_out_total\{node="simulation",kind="stream"\} \d+$/m);
  assert.match(metrics, /^twinstream_source_watermark_seconds\{node="simulation",kind="stream"\} 17040\d+/m);
  const state = (await (await fetch(`${url}api/state`)).json()) as {
    series: string[];
    parameters: Record<string, number>;
  };
  assert.deepEqual(state.series, [
    'lathe.queue_length',
    'lathe.in_use',
    'lathe.capacity',
    'lathe.utilization',
    'lathe.queue_length, 1-minute mean',
  ]);
  assert.deepEqual(state.parameters, { 'Line_A.arrival.standard.rate': 2, 'Line_A.resources.lathe.currentCap': 4 });
  // A change through the API while it runs: the lathe doubles.
  const res = await fetch(`${url}api/parameters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: 'Line_A.resources.lathe.currentCap', value: 8 }),
  });
  assert.deepEqual(await res.json(), { path: 'Line_A.resources.lathe.currentCap', value: 8 });

  assert.equal(await exited, 0, stderr());
  const wall = (performance.now() - t0) / 1000;
  assert.ok(wall > 3, `paced: 30 simulated minutes at 200x took ${wall} s`);
  const telemetry = await read(join(dir, 'twinstream-out', 'telemetry.parquet'));
  const capacities = telemetry.filter((r) => r.path_id === 'Line_A.lathe.capacity').map((r) => Number(r.value));
  assert.equal(capacities[0], 4);
  assert.equal(capacities.at(-1), 8, 'the change reached the simulation and its telemetry');
  const windows = await read(join(dir, 'twinstream-out', 'windows.parquet'));
  assert.ok(windows.length >= 4 * 30, `${windows.length} windows`);
  assert.match(stdout(), /rows written\s+[\d,]+/);
});
