// The dashboard of a pipeline file, through the real CLI in a child process: `twinstream run` on a file with a
// dashboard output (its plots over /api/state and the WebSocket's binary frames), and `twinstream dashboard` on a
// pipeline file without one.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { decodePointsFrame } from '../../src/dashboard/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const EXAMPLES = join(ROOT, 'examples/pipelines');

function start(args: string[], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  // A failed assertion must not leave the server running (nor the test waiting for it).
  after(() => child.kill('SIGKILL'));
  const until = async <T>(find: () => T | undefined, what: string): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const found = find();
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`${what}; stdout: ${out}; stderr: ${err}`);
  };
  return { child, exited, until, out: () => out, err: () => err };
}

test('run: a pipeline with a dashboard output plots its field per key, in /api/state and in binary frames', async () => {
  const p = start(['run', join(EXAMPLES, 'http-dashboard.yaml')], { HTTP_PORT: '0', DASHBOARD_PORT: '0' });
  const logged = (what: string) =>
    p.until(
      () =>
        p
          .err()
          .split('\n')
          .find((l) => l.includes(what)),
      `the log says "${what}"`,
    );
  const input = JSON.parse(await logged('listening on')).port as number;
  const page = JSON.parse(await logged('serving at')).url as string;
  assert.match(page, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'bound to loopback, so no token');

  const ws = new WebSocket(`${page.replace('http', 'ws')}ws`);
  const frames: { series: number; values: number[] }[] = [];
  const names: string[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => {
    if (!binary) {
      const msg = JSON.parse(data.toString());
      if (msg.type === 'hello' || msg.type === 'series') names.splice(0, names.length, ...msg.series);
      return;
    }
    for (const f of decodePointsFrame(new Uint8Array(data))) frames.push({ series: f.series, values: [...f.values] });
  });
  await new Promise((resolve) => ws.once('open', resolve));

  const readings = [
    { sensor: 'room-1', fahrenheit: 212 },
    { sensor: 'room-2', fahrenheit: 32 },
    { sensor: 'room-1', fahrenheit: -999 },
    { sensor: 'room-1', fahrenheit: 50 },
  ];
  const res = await fetch(`http://127.0.0.1:${input}/readings`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: readings.map((r) => JSON.stringify(r)).join('\n'),
  });
  assert.equal(res.status, 202);

  const plotted = (name: string) => {
    const i = names.indexOf(name);
    return frames.filter((f) => f.series === i).flatMap((f) => f.values);
  };
  await p.until(() => (plotted('room-1.celsius').length === 2 ? true : undefined), 'two room-1 points in frames');
  assert.deepEqual(plotted('room-1.celsius'), [100, 10]);
  assert.deepEqual(plotted('room-2.celsius'), [0]);

  const state = (await (await fetch(`${page}api/state`)).json()) as {
    title: string;
    series: string[];
    metrics: { nodes: { label: string; in: number }[] };
  };
  assert.equal(state.title, 'room temperatures');
  assert.deepEqual(state.series, ['room-1.celsius', 'room-2.celsius']);
  // The graph of the whole pipeline, with its counts: the filter took four readings, the dashboard three.
  const node = (label: string) => state.metrics.nodes.find((n) => n.label === label)?.in;
  assert.equal(node('steps[0] filter'), 4, JSON.stringify(state.metrics.nodes.map((n) => n.label)));
  assert.equal(node('outputs[0] dashboard'), 3);
  ws.close();

  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0, p.err());
});

test('dashboard <pipeline.yaml>: a file without a dashboard output gets one; it serves past the end until SIGTERM', async () => {
  const out = mkdtempSync(join(tmpdir(), 'twinstream-pipeline-dashboard-'));
  const p = start(['dashboard', join(EXAMPLES, 'csv-windows.yaml'), '--port', '0', '--out', out]);
  const page = await p.until(() => /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(p.out())?.[1], 'the address');
  await p.until(() => (p.out().includes('the pipeline has finished') ? true : undefined), 'the pipeline ends');
  const state = (await (await fetch(`${page}api/state`)).json()) as { title: string; series: string[] };
  assert.equal(state.title, 'room-temperatures');
  for (const field of ['readings', 'mean', 'max']) assert.ok(state.series.includes(field), state.series.join(', '));
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0, p.err());
  assert.match(p.out(), /room-temperatures: \d+ out, 0 dead-lettered; the dashboard has stopped/);
});
