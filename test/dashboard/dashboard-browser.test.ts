// The dashboard in Debian's headless Chromium, driven by playwright-core: a live simulation of the demo's line
// served by the dashboard; the page loads, its plots fill from the binary frames, the pipeline graph shows its
// metrics, and a slider changes the lathe's capacity in the running simulation, which the capacity plot then shows.
// A screenshot is kept in test/artifacts/ (not committed). Then a pipeline file's dashboard output: its plots appear
// as the data names them and update.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { DEMO_MODEL } from '../../src/cli/demo/demo-model.ts';
import { serveModelDashboard } from '../../src/cli/live-dashboard.ts';
import { Stream } from '../../src/core/index.ts';
import { type Dashboard, dashboardPipelineOutput } from '../../src/dashboard/index.ts';
import { registerPipelineOutput, runPipeline } from '../../src/pipeline/index.ts';
import { StreamEgress } from '../../src/sim/egress/stream.ts';
import { buildModel } from '../../src/sim/model/build.ts';
import { validateModel } from '../../src/sim/model/validate.ts';
import { RealtimeEnvironment } from '../../src/sim/realtime.ts';
import type { SimRecord } from '../../src/sim/telemetry.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const HTTP_DASHBOARD = fileURLToPath(new URL('../../examples/pipelines/http-dashboard.yaml', import.meta.url));

let browser: Browser;
let dashboard: Dashboard;
let env: RealtimeEnvironment;
let running: Promise<unknown>;
let end: { succeed(): unknown };

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  const spec = await validateModel(DEMO_MODEL, 'the demo model');
  // 120 simulated seconds a second: a telemetry sample every 5 simulated seconds is 24 points a second per plot.
  env = new RealtimeEnvironment({ factor: 1 / 120, logicalStartTime: spec.run.logicalStartTime! });
  buildModel(env, spec, 7, 'none');
  const records = new Stream<SimRecord>({ clock: env.clock, name: 'simulation' });
  env.setupEgress([new StreamEgress(records)], { batchSize: 1000, flushInterval: 5 });
  dashboard = await serveModelDashboard(env, spec, records, { port: 0 });
  const endEvent = env.event();
  end = endEvent;
  running = env.run({ until: endEvent });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  end.succeed();
  env.notifyExternalInput();
  await running;
  await env.teardown();
  await dashboard?.stop();
});

interface PageState {
  frames: number;
  series: string[];
  plots: { name: string; count: number; values: number[] }[];
  last: { parameters: Record<string, number> } | null;
}

test('the page loads, plots update, and a parameter change reaches the simulation and shows', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(dashboard.url!);
  await page.waitForSelector('.plot canvas', { timeout: 15_000 });
  assert.equal(await page.title(), 'twinstream: Line_A');

  // A plot updates: points arrive frame after frame.
  const count = () =>
    page.evaluate(
      () => (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.plots[0]!.count,
    );
  await page.waitForFunction(
    () => (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.plots[0]!.count > 5,
    null,
    { timeout: 15_000 },
  );
  const first = await count();
  await page.waitForFunction(
    (n) => (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.plots[0]!.count > n,
    first,
    { timeout: 10_000 },
  );
  const series = await page.evaluate(
    () => (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.series,
  );
  assert.deepEqual(series, ['lathe.queue_length', 'lathe.in_use', 'lathe.capacity', 'lathe.utilization']);

  // The pipeline graph, with figures per node.
  await page.waitForSelector('#graph-svg g[data-node]', { timeout: 10_000 });
  // Throughput per node, from the counters of two snapshots: the telemetry filter passes elements every second.
  await page.waitForFunction(
    () => {
      for (const g of document.querySelectorAll('#graph-svg g[data-node]')) {
        const [label, figures] = [...g.querySelectorAll('text')].map((t) => t.textContent ?? '');
        if (label === 'telemetry') return /^[1-9][\d.]*k?\/s/.test(figures ?? '');
      }
      return false;
    },
    null,
    { timeout: 10_000 },
  );
  const graphText = await page.locator('#graph-svg').textContent();
  assert.match(graphText ?? '', /telemetry/);
  assert.match(graphText ?? '', /late 0 · errors 0/);

  // The capacity slider: 4 -> 8 units. The simulation's registry changes, and the capacity plot shows 8.
  const capacity = '[data-path="Line_A.resources.lathe.currentCap"]';
  await page.waitForFunction(
    (sel) => (document.querySelector(sel) as HTMLInputElement | null)?.value === '4',
    capacity,
  );
  await page.locator(capacity).evaluate((el: HTMLInputElement) => {
    el.value = '8';
    el.dispatchEvent(new Event('input'));
    el.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(
    () => document.querySelector('.plot[data-series="lathe.capacity"] .last')?.textContent === '8',
    null,
    { timeout: 15_000 },
  );
  assert.equal(env.registry.get('Line_A.resources.lathe.currentCap'), 8);
  const capacityValues = await page.evaluate(
    () =>
      (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.plots.find(
        (p) => p.name === 'lathe.capacity',
      )!.values,
  );
  assert.equal(capacityValues[0], 4, 'the plot starts at the old capacity');
  assert.equal(capacityValues.at(-1), 8);
  assert.equal(dashboard.stats.parameterChanges, 1);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a pipeline file's dashboard output: a plot per sensor appears and updates as readings arrive", async () => {
  registerPipelineOutput('dashboard', dashboardPipelineOutput());
  process.env.HTTP_PORT = process.env.DASHBOARD_PORT = '0';
  const stop = new AbortController();
  let input: (port: number) => void;
  const inputPort = new Promise<number>((resolve) => (input = resolve));
  let served: (url: string) => void;
  const pageUrl = new Promise<string>((resolve) => (served = resolve));
  const log = {
    info: (f: Record<string, unknown>) => void (f.port !== undefined && input(f.port as number)),
    warn() {},
  };
  const running = runPipeline(HTTP_DASHBOARD, { signal: stop.signal, log, onServing: (o) => served(o.url) });
  try {
    await readingsShown(await inputPort, pageUrl);
  } finally {
    stop.abort();
  }
  assert.equal((await running).emitted, 6);
});

async function readingsShown(port: number, pageUrl: Promise<string>): Promise<void> {
  let f = 50;
  const post = () =>
    fetch(`http://127.0.0.1:${port}/readings`, {
      method: 'POST',
      body: JSON.stringify({ sensor: 'room-1', fahrenheit: f++ }),
    });
  // The page opens before any reading: the sensor's plot is added when the data names it.
  const page = await browser.newPage();
  await page.goto(await pageUrl);
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
  await post();
  await page.waitForSelector('.plot[data-series="room-1.celsius"] canvas', { timeout: 15_000 });
  const count = () =>
    page.evaluate(
      () => (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.plots[0]!.count,
    );
  const before = await count();
  for (let i = 0; i < 5; i++) await post();
  await page.waitForFunction(
    (n) => (globalThis as unknown as { twinstreamDashboard: PageState }).twinstreamDashboard.plots[0]!.count >= n + 5,
    before,
    { timeout: 10_000 },
  );
  // 55 °F, the last reading, in Celsius to two decimals.
  await page.waitForFunction(
    () => document.querySelector('.plot[data-series="room-1.celsius"] .last')?.textContent === '12.780',
    null,
    { timeout: 10_000 },
  );
  assert.equal(await page.title(), 'room temperatures');
  await page.close();
}
