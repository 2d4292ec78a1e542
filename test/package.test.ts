// What a user installs: the build, the exports map, and the files npm would pack.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;

describe('the package', () => {
  before(() => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, `build failed:\n${r.stdout}${r.stderr}`);
    work = mkdtempSync(join(tmpdir(), 'twinstream-pkg-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('npm pack ships dist with types, the README and the CHANGELOG, and no sources or tests', () => {
    const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'CHANGELOG.md', 'package.json'])
      assert.ok(files.includes(f), f);
    assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')));
  });

  test("a user's ESM module imports every public name from the package root", () => {
    mkdirSync(join(work, 'node_modules'), { recursive: true });
    symlinkSync(root, join(work, 'node_modules', 'twinstream'), 'dir');
    writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(work, 'main.js'),
      [
        "import { Stream, VirtualClock, TwinstreamError, RefCounter } from 'twinstream';",
        'const s = new Stream();',
        'const out = s.map((x) => x * 2).filter((x) => x > 2).sinkToList();',
        '[1, 2, 3].forEach((x) => s.emit(x));',
        'console.log(JSON.stringify({ out, clock: typeof VirtualClock, err: typeof TwinstreamError, ref: typeof RefCounter }));',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['main.js'], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { out: [4, 6], clock: 'function', err: 'function', ref: 'function' });
  });
});
