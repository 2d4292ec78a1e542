// `twinstream graph`: a pipeline file drawn as Mermaid, DOT, or SVG rendered by graphviz's dot (Debian's graphviz).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const PIPELINE = join(ROOT, 'examples/pipelines/jsonl-dead-letter.yaml');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-graph-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const graph = (...args: string[]) =>
  spawnSync(process.execPath, [MAIN, 'graph', PIPELINE, ...args], { encoding: 'utf8', cwd: dir });

test('mermaid on stdout by default: every step named by its place in the file, error routes dashed', () => {
  const r = graph();
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'flowchart TD');
  const node = (label: string) => {
    const line = lines.find((l) => l.includes(`["${label}"]`));
    assert.ok(line, `${label} in ${r.stdout}`);
    return line.trim().split('[')[0];
  };
  const [input, map, rename, select, dead, parquet] = [
    'jsonl0 (fromJsonl)',
    'steps[0] map',
    'steps[1] rename (map)',
    'steps[2] select (map)',
    'steps[3] deadLetter',
    'outputs[0] parquet (toParquet)',
  ].map(node);
  for (const edge of [
    `${input} --> ${map}`,
    `${map} --> ${rename}`,
    `${rename} --> ${select}`,
    `${select} --> ${parquet}`,
    `${map} -. error .-> ${dead}`,
  ]) {
    assert.ok(lines.includes(`  ${edge}`), `${edge} in ${r.stdout}`);
  }
});

test('DOT to a file, and SVG rendered by graphviz from the extension of --out', () => {
  const dot = graph('--out', join(dir, 'p.dot'));
  assert.equal(dot.status, 0, dot.stderr);
  const text = readFileSync(join(dir, 'p.dot'), 'utf8');
  assert.match(text, /^digraph "jsonl-to-parquet" \{/);
  assert.match(text, /\[style=dashed, label="error"\];/);
  const svg = graph('--out', join(dir, 'p.svg'));
  assert.equal(svg.status, 0, svg.stderr);
  assert.equal(svg.stdout.trim(), `wrote ${join(dir, 'p.svg')}`);
  const image = readFileSync(join(dir, 'p.svg'), 'utf8');
  assert.match(image, /<svg /);
  assert.match(image, />steps\[0\] map</);
});

test('every example pipeline is valid and builds (run --check), and draws', () => {
  const examples = readdirSync(join(ROOT, 'examples/pipelines')).filter((f) => f.endsWith('.yaml'));
  assert.ok(examples.length >= 10);
  for (const f of examples) {
    const path = join(ROOT, 'examples/pipelines', f);
    const check = spawnSync(process.execPath, [MAIN, 'run', path, '--check'], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${f}: ${check.stderr}`);
    assert.match(check.stdout, /is a valid pipeline/);
    const drawn = spawnSync(process.execPath, [MAIN, 'graph', path, '--format', 'dot'], { encoding: 'utf8' });
    assert.equal(drawn.status, 0, `${f}: ${drawn.stderr}`);
    assert.match(drawn.stdout, /-> n\d+/);
  }
});
