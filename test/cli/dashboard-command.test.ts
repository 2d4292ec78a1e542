// `twinstream dashboard <model>` as a user runs it: the example model, paced, its dashboard answering while it runs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, serveDashboard } from './dashboard-child.ts';

test('dashboard line-a.yaml serves the model live: its series, its sliders, its metrics', async () => {
  const model = join(ROOT, 'examples/models/line-a.yaml');
  const args = ['dashboard', model, '--speed', '1200', '--until', '1h', '--port', '0'];
  const { url, exited, stdout, stderr } = await serveDashboard(args);
  const state = (await (await fetch(`${url}api/state`)).json()) as {
    series: string[];
    controls: { path: string; max: number }[];
  };
  assert.deepEqual(state.series, ['lathe.queue_length', 'lathe.in_use', 'lathe.capacity', 'lathe.utilization']);
  assert.deepEqual(
    state.controls.map((c) => [c.path, c.max]),
    [
      ['Line_A.arrival.standard.rate', 10],
      ['Line_A.resources.lathe.currentCap', 10],
    ],
  );
  const refused = await fetch(`${url}api/parameters`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ path: 'Line_A.arrival.standard.rate', value: -1 }),
  });
  assert.equal(refused.status, 400);
  assert.match(await (await fetch(`${url}metrics`)).text(), /twinstream_node_elements_in_total\{node="telemetry"/);
  assert.equal(await exited, 0, stderr());
  assert.match(stdout(), /Line_A: simulated 3600 time units; the dashboard has stopped/);
});
