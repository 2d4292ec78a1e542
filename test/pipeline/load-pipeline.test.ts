// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the pipeline file syntax under test
// Pipeline files are refused before anything starts, with the path in the file, its line and what is accepted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TwinstreamError } from '../../src/errors.ts';
import { buildPipeline, loadPipeline, validatePipeline } from '../../src/pipeline/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-pipeline-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function file(text: string, ext = 'yaml'): string {
  const path = join(dir, `p${++n}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function refused(path: string, ...patterns: RegExp[]): Promise<string> {
  const error = await loadPipeline(path)
    .then(
      (p) => buildPipeline(p).then(() => null),
      (e: unknown) => e,
    )
    .catch((e: unknown) => e);
  assert.ok(error instanceof TwinstreamError, `expected a refusal, got ${String(error)}`);
  assert.equal(error.code, 'TS_PIPELINE_BAD_SPEC');
  for (const p of patterns) assert.match(error.message, p);
  return error.message;
}

const WINDOW = `inputs:
  - type: jsonl
    path: in.jsonl
steps:
  - select: [timestamp, value]
  - rename: { value: v }
  - window:
      size: 1m
      grace: 10x
      aggregate: { mean: mean }
outputs:
  - type: console
`;

test('a bad duration is named by its path and line, with what is accepted', async () => {
  await refused(
    file(WINDOW),
    /p\d+\.yaml is not a valid pipeline/,
    /✖ expected a duration: milliseconds \(a number >= 0\) or a string such as "250ms", "10s"/,
    /→ at steps\[2\]\.window\.grace \(line 9\)/,
  );
});

test('every problem is listed, each with its line: an unknown input type, a missing output, a step of two kinds', async () => {
  const message = await refused(
    file(`inputs:
  - type: ftp
    path: x
steps:
  - filter: a
    map: b
outputs: []
`),
    /expected type to be one of csv, jsonl, parquet, tail, http, websocket, tcp, mqtt, kafka, postgres, redis, sim/,
    /→ at inputs\[0\]\.type \(line 2\)/,
    /expected exactly one of filter, map, select, rename, window, resample, join, deadLetter in a step; found filter, map/,
    /→ at steps\[0\] \(line 5\)/,
    /expected at least one output/,
    /→ at outputs \(line 7\)/,
    // Names that refer elsewhere are checked in the same pass, whatever else is wrong.
    /expected a functions module/,
  );
  assert.equal(message.match(/✖/g)?.length, 4, message);
});

test('what a step kind needs: a hopping window its step, an interval join its bounds', async () => {
  await refused(
    file(`inputs:
  - { name: a, type: jsonl, path: a.jsonl }
  - { name: b, type: jsonl, path: b.jsonl }
steps:
  - window: { kind: hopping, size: 1m, aggregate: { n: count } }
  - join: { with: b, kind: interval, backward: 5s }
outputs:
  - type: console
`),
    /expected step \(a duration\): a hopping window starts one every step\n\s+→ at steps\[0\]\.window\.step \(line 5\)/,
    /expected forward \(a duration\) for an interval join\n\s+→ at steps\[1\]\.join\.forward \(line 6\)/,
  );
});

test('names that refer elsewhere must exist: a join partner, a functions module, unique input names', async () => {
  await refused(
    file(`inputs:
  - { name: a, type: jsonl, path: a.jsonl }
  - { name: a, type: csv, path: a.csv }
steps:
  - map: toCelsius
  - join: { with: b }
outputs:
  - type: console
`),
    /expected a name no other input has \("a" is taken\)\n\s+→ at inputs\[1\]\.name \(line 3\)/,
    /"b" is not an input of this pipeline; expected one of: a, a\n\s+→ at steps\[1\]\.join\.with \(line 6\)/,
    /expected a functions module: add `functions: \.\/my-functions\.js` at the top of the file\n\s+→ at steps\[0\]\.map \(line 5\)/,
  );
});

test('a function the module does not export is refused with its line and the functions it does export', async () => {
  writeFileSync(join(dir, 'fns.js'), 'export function double(x) { return 2 * x; }\nexport const answer = 42;\n');
  await refused(
    file(`functions: ./fns.js
inputs:
  - { type: jsonl, path: a.jsonl }
steps:
  - map: double
  - filter: isBig
outputs:
  - type: console
`),
    /"isBig" is not a function exported by \.\/fns\.js; expected one of: double\n\s+→ at steps\[1\]\.filter \(line 6\)/,
  );
});

test('an output nobody provides in this program (the dashboard without its module) is refused before the start', async () => {
  await refused(
    file(`inputs:
  - { type: jsonl, path: a.jsonl }
outputs:
  - type: console
  - type: dashboard
    title: rooms
`),
    /the dashboard output is not available in this program/,
    /→ at outputs\[1\] \(line 5\)/,
  );
});

test('nothing in the file reaches a prototype or runs: __proto__ keys and code-like function names are refused', async () => {
  await assert.rejects(
    validatePipeline(
      JSON.parse('{"inputs":[{"type":"jsonl","path":"a","__proto__":{"x":1}}],"outputs":[{"type":"console"}]}'),
    ),
    (e: TwinstreamError) => e.code === 'TS_PIPELINE_BAD_SPEC' && /__proto__/.test(e.message),
  );
  await refused(
    file(`functions: ./fns.js
inputs:
  - { type: jsonl, path: a.jsonl }
steps:
  - map: "x => process.exit(9)"
outputs:
  - type: console
`),
    /expected a function name \(letters, digits, _ and \$\)\n\s+→ at steps\[0\]\.map \(line 5\)/,
  );
});

test('${NAME:-default} takes the environment or the default; an unset name without a default is refused with its line', async () => {
  const spec = await validatePipeline(
    {
      inputs: [
        { type: 'http', port: '${PORT:-8080}' },
        { type: 'tcp', port: '${TCP:-7000}' },
      ],
      outputs: [{ type: 'kafka', brokers: '${BROKERS}', topic: 'out-${SUFFIX:-a}' }],
    },
    'env',
    undefined,
    { TCP: '7001', BROKERS: 'k:9092' },
  );
  assert.deepEqual(
    spec.inputs.map((i) => (i as { port: number }).port),
    [8080, 7001],
  );
  assert.deepEqual(spec.outputs[0], { type: 'kafka', brokers: 'k:9092', topic: 'out-a' });
  await refused(
    file(`inputs:
  - type: kafka
    brokers: \${NOT_SET_ANYWHERE_1}
    topic: t
    groupId: g
outputs:
  - type: console
`),
    /the environment variable NOT_SET_ANYWHERE_1 is not set; set it or write \$\{NOT_SET_ANYWHERE_1:-default\}\n\s+→ at inputs\[0\]\.brokers \(line 3\)/,
  );
});

test('the same rule as model files: values only (comments left alone), unquoted in { } and [ ], $$ a dollar', async () => {
  process.env.TWINSTREAM_TEST_TOPIC = 'readings';
  try {
    const pipeline = await loadPipeline(
      file(`# \${NOT_SET_ANYWHERE_4} in a comment is text
inputs: [{ type: http, port: \${NOT_SET_PORT:-8080} }] # \${NOT_SET_ANYWHERE_5}
outputs:
  - { type: kafka, brokers: "\${NOT_SET_BROKERS:-k:9092}", topic: \${TWINSTREAM_TEST_TOPIC}-$$1 }
`),
    );
    assert.deepEqual(pipeline.spec.inputs[0], { type: 'http', port: 8080 });
    assert.deepEqual(pipeline.spec.outputs[0], { type: 'kafka', brokers: 'k:9092', topic: 'readings-$1' });
  } finally {
    delete process.env.TWINSTREAM_TEST_TOPIC;
  }
});

test('JSON files are read too; YAML that does not parse names its line', async () => {
  await refused(file('{"inputs": [], "outputs": [{"type": "console"}]}', 'json'), /expected at least one input/);
  await refused(file('inputs:\n  - type: csv\n   path: x\n'), /is not valid YAML \(line 3\)/);
  await refused(join(dir, 'missing.yaml'), /cannot read pipeline .*missing\.yaml: ENOENT/);
});

test('the CLI exits 1 with the message and no stack; --check validates and builds without running', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const bad = spawnSync(process.execPath, [main, 'run', file(WINDOW)], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^twinstream: .*is not a valid pipeline:\n✖ expected a duration/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const example = fileURLToPath(new URL('../../examples/pipelines/csv-windows.yaml', import.meta.url));
  const ok = spawnSync(process.execPath, [main, 'run', example, '--check'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /csv-windows\.yaml is a valid pipeline: 1 input\(s\), 3 step\(s\), 2 output\(s\)/);
});

test('the pipeline files shown in docs/pipelines.md are valid', async () => {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/pipelines.md', import.meta.url)), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 1);
  for (const block of blocks) {
    const path = file(block);
    const pipeline = await loadPipeline(path);
    assert.ok(pipeline.spec.inputs.length > 0);
  }
});
