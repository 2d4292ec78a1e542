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

// `npm run example -- <name>` (scripts/example.ts): how the README runs examples on any Node the machine has.
describe('npm run example', () => {
  const runner = fileURLToPath(new URL('../scripts/example.ts', import.meta.url));
  const example = (...args: string[]) =>
    spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', timeout: 120_000 });

  test('runs examples/<name>.ts and prints what it prints', () => {
    const r = example('sensors');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(`${dir}expected/sensors.txt`, 'utf8'));
  });

  test('runs examples/pipelines/<name>.yaml through twinstream run, arguments passed on', () => {
    const r = example('csv-windows', '--check');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /csv-windows\.yaml is a valid pipeline/);
  });

  test('without a name it lists every example; an unknown name is refused with the list', () => {
    const list = example();
    assert.equal(list.status, 1);
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts')))
      assert.match(list.stdout, new RegExp(`\\n  ${f.slice(0, -3)}\\n`));
    assert.match(list.stdout, /\n {2}kafka-windows\n/);
    const unknown = example('nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no example named "nope"; expected one of: .*sensors/);
  });
});
