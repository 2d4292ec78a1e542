// docs/architecture.md, "The layers": imports point down only, and modules form no cycle. Type-only imports are erased at run
// time and are allowed across a layer's own modules, but still may not point up.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

// Lowest first. A module may import its own layer and the layers below it.
const RANKS: [string, number][] = [
  ['errors.ts', 0],
  ['error-codes.ts', 0],
  ['import-optional.ts', 0],
  ['time/', 1],
  ['core/', 2],
  ['frame/', 3],
  ['window/', 3],
  ['state/', 4],
  ['connectors/', 5],
  ['node/', 5],
  ['app/', 6],
  ['sim/', 6],
  ['handlers/', 6],
  ['pipes/', 6],
  ['pipeline/', 6],
  ['cluster/', 7],
  ['cli/', 7],
  ['dashboard/', 7],
  ['index.ts', 8],
];
// core/ and time/ run in a browser: no Node-only module, no runtime dependency.
const BROWSER_SAFE = ['errors.ts', 'error-codes.ts', 'import-optional.ts', 'time/', 'core/', 'frame/', 'window/'];

function rankOf(file: string): number {
  const rel = relative(SRC, file).replaceAll('\\', '/');
  const hit = RANKS.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  assert.ok(hit, `src/${rel} is in no layer of DESIGN.md; add its folder to RANKS`);
  return hit[1];
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface Import {
  target: string;
  typeOnly: boolean;
  line: number;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const re =
    /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const spec = m[3] ?? m[4] ?? m[5]!;
    const line = text.slice(0, m.index).split('\n').length;
    // An import written in a comment or an @example is no import.
    if (/^\s*(\*|\/\/)/.test(text.split('\n')[line - 1]!)) continue;
    out.push({ target: spec, typeOnly: m[2] !== undefined, line });
  }
  return out;
}

const all = files(SRC);

test('every import points to the same layer or one below', () => {
  const wrong: string[] = [];
  for (const f of all) {
    for (const imp of importsOf(f)) {
      if (!imp.target.startsWith('.')) continue;
      const target = resolve(dirname(f), imp.target);
      if (rankOf(target) > rankOf(f)) {
        wrong.push(`src/${relative(SRC, f)}:${imp.line} imports ${imp.target} (a higher layer)`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('browser-safe layers import no Node module and no package', () => {
  const wrong: string[] = [];
  for (const f of all) {
    const rel = relative(SRC, f).replaceAll('\\', '/');
    if (!BROWSER_SAFE.some((p) => rel === p || rel.startsWith(p))) continue;
    for (const imp of importsOf(f)) {
      if (!imp.target.startsWith('.') && !imp.typeOnly) wrong.push(`src/${rel}:${imp.line} imports ${imp.target}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('modules form no import cycle (runtime imports)', () => {
  const graph = new Map<string, string[]>();
  for (const f of all) {
    graph.set(
      f,
      importsOf(f)
        .filter((i) => i.target.startsWith('.') && !i.typeOnly)
        .map((i) => resolve(dirname(f), i.target)),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' -> '));
      return;
    }
    state.set(f, 'visiting');
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of all) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('the checker sees the imports it is meant to check', () => {
  const stream = importsOf(join(SRC, 'core/stream.ts'));
  assert.ok(stream.some((i) => i.target === '../time/clock.ts' && !i.typeOnly));
  assert.ok(importsOf(join(SRC, 'core/fusion.ts')).some((i) => i.target === './stream.ts' && i.typeOnly));
});

test('time comes from the clock: no Date.now, setTimeout or setInterval in the graph layers', () => {
  const wrong: string[] = [];
  for (const f of all) {
    const rel = relative(SRC, f).replaceAll('\\', '/');
    if (!['core/', 'window/', 'frame/'].some((p) => rel.startsWith(p))) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (
        /\b(Date\.now|setTimeout|setInterval)\s*\(/.test(line) &&
        !line.trim().startsWith('//') &&
        !line.trim().startsWith('*')
      ) {
        wrong.push(`src/${rel}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(wrong, []);
});
