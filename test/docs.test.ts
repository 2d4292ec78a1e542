// The README's and the docs' TypeScript snippets work as a user pastes them: every ```ts block of README.md and
// docs/*.md type-checks against the package's own entry points, and runs (`twinstream` resolved to this
// repository's sources by test/support/twinstream-from-source.ts), exits 0, and prints what its comments say.
//
// In a snippet, `// prints: text` (or `// → text`) says that a line of its output is `text`; those lines must
// appear in that order. A block preceded by `<!-- snippet: typecheck-only, <reason> -->` is type-checked but not
// run; the reason is printed with the test's name. A block preceded by `<!-- snippet: file <name>.ts -->` is a
// module a later snippet imports (`./<name>.js`-style, as a user's second file): it is written under that name,
// type-checked, and not run on its own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const HOOK = join(root, 'test/support/twinstream-from-source.ts');

interface Snippet {
  doc: string;
  line: number;
  code: string;
  /** Why the snippet is only type-checked (null: it runs). */
  notRun: string | null;
  /** The file name a later snippet imports it by (a module of the user's project), or null. */
  file: string | null;
}

function snippetsOf(doc: string): Snippet[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const marker = /^<!--\s*snippet:\s*typecheck-only,\s*(.+?)\s*-->$/.exec(lines[before]?.trim() ?? '');
    const file = /^<!--\s*snippet:\s*file\s+([\w.-]+\.ts)\s*-->$/.exec(lines[before]?.trim() ?? '');
    const code = lines.slice(i + 1, end).join('\n');
    if (file !== null) {
      out.push({
        doc,
        line: i + 1,
        code,
        notRun: `a module (${file[1]}) that a later snippet imports`,
        file: file[1]!,
      });
    } else {
      out.push({ doc, line: i + 1, code, notRun: marker ? marker[1]! : null, file: null });
    }
    i = end;
  }
  return out;
}

/** What the comments say the snippet prints, in order. */
export function expectedLines(code: string): string[] {
  return [...code.matchAll(/\/\/\s*(?:prints:|→)\s*(.+)$/gm)].map((m) => m[1]!.trim());
}

const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const snippets = docs.flatMap(snippetsOf);
const fileOf = (s: Snippet) => s.file ?? `${s.doc.replace(/[/.]/g, '-')}-${s.line}.ts`;

describe('the snippets of the README and the docs', () => {
  let dir: string;

  before(() => {
    // Inside the repository (.tmp/ is ignored by git), so that the snippets find its node_modules (the types of
    // Node, the optional peers) as a user's project finds its own; not under node_modules, where Node does not
    // strip types.
    mkdirSync(join(root, '.tmp'), { recursive: true });
    dir = mkdtempSync(join(root, '.tmp/snippets-'));
    for (const s of snippets) writeFileSync(join(dir, fileOf(s)), `${s.code}\nexport {};\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('there are snippets to check, and most of them run', () => {
    assert.ok(snippets.length >= 20, `${snippets.length} snippets`);
    assert.ok(snippets.filter((s) => s.notRun === null).length >= snippets.length / 2);
  });

  test('every snippet type-checks against the entry points of package.json', (t) => {
    for (const s of snippets) if (s.notRun !== null) t.diagnostic(`${s.doc}:${s.line} is not run: ${s.notRun}`);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, string | { default: string }>;
    };
    const paths: Record<string, string[]> = {};
    for (const [key, target] of Object.entries(manifest.exports)) {
      const file = typeof target === 'string' ? target : target.default;
      if (!file.startsWith('./dist/')) continue;
      paths[key === '.' ? 'twinstream' : `twinstream/${key.slice(2)}`] = [
        join(root, file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')),
      ];
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2023', 'dom'],
          types: ['node'],
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          paths,
        },
        include: ['*.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      cwd: dir,
      encoding: 'utf8',
    });
    // Name each error by its document and line, as a reader finds it.
    const errors = `${r.stdout}${r.stderr}`
      .split('\n')
      .filter((l) => /error TS/.test(l))
      .map((l) => {
        const m = /^(?:.*\/)?([^/(]+)\.ts\((\d+),\d+\): (.*)$/.exec(l);
        const s = m && snippets.find((x) => fileOf(x) === `${m[1]}.ts`);
        return s ? `${s.doc}:${s.line + Number(m[2])} ${m[3]}` : l;
      });
    assert.deepEqual(errors, []);
  });

  for (const s of snippets) {
    const name = `${s.doc}:${s.line}`;
    if (s.notRun !== null) continue; // named, with the reason, by the type-check test
    test(`${name} runs and prints what its comments say`, () => {
      const work = mkdtempSync(join(dir, 'run-'));
      // The docs name the example models by their path in a clone of the repository (examples/models/...).
      cpSync(join(root, 'examples/models'), join(work, 'examples/models'), { recursive: true });
      const r = spawnSync(process.execPath, ['--import', HOOK, join(dir, fileOf(s))], {
        cwd: work,
        encoding: 'utf8',
        timeout: 180_000, // a shared 2-core machine running other suites beside this one
      });
      assert.equal(r.status, 0, `${name} exited with ${r.status}:\n${r.stderr}`);
      const out = r.stdout.split('\n').map((l) => l.trim());
      let at = 0;
      for (const expected of expectedLines(s.code)) {
        const found = out.indexOf(expected, at);
        assert.ok(found >= 0, `${name} should print\n  ${expected}\nafter line ${at} of its output:\n${r.stdout}`);
        at = found + 1;
      }
    });
  }
});
