// The browser-safe layers (core, time, window, frame) in a real browser: bundled by esbuild for the browser
// platform (a Node module or a package anywhere in their imports fails the bundle), then a small pipeline runs in
// Debian's headless Chromium, driven by playwright-core.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

// Rows through a tumbling window (window), a rolling mean (core) and a frame (frame), on a virtual clock (time).
const PIPELINE = `
import { Stream } from './core/index.ts';
import { VirtualClock } from './time/index.ts';
import { count, mean } from './window/index.ts';
import { Frame } from './frame/index.ts';

const clock = new VirtualClock(0);
const rows = new Stream({ clock });
const windows = rows
  .tumblingWindow('10s', { key: 'sensor', value: 'temperature' })
  .agg({ n: count(), mean: mean() })
  .final()
  .sinkToList();
const rolling = rows.pluck('temperature').rolling(2, 'mean').sinkToList();
for (const [t, sensor, temperature] of [[1000, 'a', 20], [4000, 'a', 22], [12000, 'a', 30], [25000, 'a', 10]]) {
  rows.emit({ timestamp: t, sensor, temperature });
}
const frame = Frame.fromRows([{ ts: 1, v: 2 }, { ts: 2, v: 4 }], { time: 'ts' });
globalThis.result = { windows, rolling, frameRows: frame.length, inBrowser: typeof window === 'object' && typeof process === 'undefined' };
`;

describe('core, window and frame in a browser', () => {
  let browser: Browser;
  let bundle: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (npm test installs it as root)`);
    const out = await build({
      stdin: { contents: PIPELINE, resolveDir: src, sourcefile: 'pipeline.ts', loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    bundle = out.outputFiles[0]!.text;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => browser?.close());

  test('the bundle for the browser platform holds no Node module', () => {
    assert.doesNotMatch(bundle, /from ["']node:|require\(["']/);
    assert.ok(bundle.length > 10_000, `a bundle of ${bundle.length} bytes`);
  });

  test('a pipeline of rows, windows, a rolling mean and a frame runs in Chromium', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><title>twinstream</title>');
    await page.addScriptTag({ type: 'module', content: bundle });
    await page.waitForFunction(() => (globalThis as { result?: unknown }).result !== undefined, null, {
      timeout: 10_000,
    });
    const result = await page.evaluate(() => (globalThis as { result?: unknown }).result);
    assert.deepEqual(errors, []);
    assert.deepEqual(result, {
      windows: [
        { key: 'a', start: 0, end: 10000, n: 2, mean: 21 },
        { key: 'a', start: 10000, end: 20000, n: 1, mean: 30 },
      ],
      rolling: [21, 26, 20], // from the second element on, when the window of 2 is full
      frameRows: 2,
      inBrowser: true,
    });
    await page.close();
  });
});
