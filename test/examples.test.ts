// Examples are tests: every examples/<name>.ts with an examples/expected/<name>.txt must print exactly that.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../examples/', import.meta.url));
const checked = readdirSync(`${dir}expected`).filter((f) => f.endsWith('.txt'));

describe('examples print what they should', () => {
  test('there are checked examples, and each has its script', () => {
    assert.ok(checked.includes('sensors.txt'));
    for (const f of checked)
      assert.ok(existsSync(`${dir}${f.replace(/\.txt$/, '.ts')}`), `examples/${f} has no script`);
  });
  for (const f of checked) {
    const script = `${dir}${f.replace(/\.txt$/, '.ts')}`;
    test(f.replace(/\.txt$/, '.ts'), () => {
      const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(`${dir}expected/${f}`, 'utf8'));
    });
  }
});
