// `npm ci` refuses a lockfile that lacks an optional platform package; see scripts/lock-platforms.ts for why
// npm install can leave such entries out here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('package-lock.json has an entry for every optional platform package (npm ci accepts it)', () => {
  const script = fileURLToPath(new URL('../../scripts/lock-platforms.ts', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /every platform entry/);
});
