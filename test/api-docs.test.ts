// `npm run docs:api`: TypeDoc builds the API reference of every entry point with no warning (a broken {@link}, a
// comment it cannot read) and no error, and the reference holds the public names, not the internal ones.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../scripts/docs-api.ts', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'twinstream-api-'));
after(() => rmSync(out, { recursive: true, force: true }));

test('the API reference builds without warnings, one module per entry point', { timeout: 600_000 }, () => {
  const r = spawnSync(process.execPath, [script, out], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, /\[warning\]|\[error\]/);
  assert.ok(existsSync(join(out, 'index.html')));
  const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'));
  const entries = Object.keys(manifest.exports).filter((k) => k !== './package.json');
  assert.match(r.stdout, new RegExp(`API reference of ${entries.length} entry points`));
  const pages = readdirSync(out, { recursive: true }).map(String);
  // The pipeline layer's public functions have pages; an internal one (specError) has none.
  for (const name of ['runPipeline', 'loadPipeline', 'registerPipelineOutput']) {
    assert.ok(
      pages.some((p) => p.endsWith(`${name}.html`)),
      `${name} has a page`,
    );
  }
  assert.ok(!pages.some((p) => p.endsWith('specError.html')));
});
