// Experiments: variants and a sweep of Line_A on common seeds, paired differences, checks and the exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TwinstreamError } from '../../../src/errors.ts';
import { parseCheck } from '../../../src/sim/experiment/experiment-spec.ts';
import { runExperiment } from '../../../src/sim/experiment/run-experiment.ts';
import { studentT } from '../../../src/sim/replicate/student-t.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL = join(ROOT, 'examples/models/line-a.yaml');
const dir = mkdtempSync(join(tmpdir(), 'twinstream-experiment-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const STUDY = `model: ${MODEL}
replications: 5
until: 1800
measures: [tasks.milling.wait_mean, resources.lathe.utilization_avg]
variants:
  four: {}
  six: { set: { resources.lathe.currentCap: 6 } }
sweep: { path: resources.lathe.currentCap, values: [5], name: lathes }
`;

test('variants and a sweep run on the same seeds; paired differences and checks', async () => {
  const file = write(
    'study.yaml',
    `${STUDY}checks:\n  - "tasks.milling.wait_mean < 1"\n  - "six: resources.lathe.utilization_avg <= 70"\n`,
  );
  const r = await runExperiment(file);
  assert.deepEqual(
    r.variants.map((v) => v.name),
    ['four', 'six', 'lathes=5'],
  );
  assert.deepEqual(r.variants[1]!.summary.seeds, r.variants[0]!.summary.seeds);
  // Six lathes at 2 arrivals/s × 2 s: ρ = 4/6; four are saturated.
  const util = (v: number) =>
    r.variants[v]!.summary.measures.find((m) => m.name === 'resources.lathe.utilization_avg')!;
  assert.ok(Math.abs(util(1).mean - 200 / 3) < 2, `six lathes ${util(1).mean}`);
  assert.ok(util(0).mean > 95);
  // The paired difference is the Student-t interval of the per-seed differences.
  const six = r.comparisons.find((c) => c.b === 'six' && c.a === 'four')!;
  const waitDiff = six.differences.find((d) => d.measure === 'tasks.milling.wait_mean')!;
  const per = r.variants[0]!.summary.runs.map(
    (run, i) =>
      r.variants[1]!.summary.runs[i]!.statistics['tasks.milling.wait_mean']! -
      run.statistics['tasks.milling.wait_mean']!,
  );
  assert.deepEqual({ ...waitDiff }, { measure: 'tasks.milling.wait_mean', ...studentT(per, 0.95), significant: true });
  assert.ok(waitDiff.mean < 0);
  assert.deepEqual(
    r.checks.map((c) => [c.variantName, c.passed]),
    [
      ['four', false],
      ['six', true],
      ['lathes=5', true],
      ['six', true],
    ],
  );
  assert.equal(r.passed, false);
});

test('sim experiment exits 1 when a check fails and 0 when all pass', () => {
  const cli = (file: string) =>
    spawnSync(process.execPath, [join(ROOT, 'src/cli/main.ts'), 'sim', 'experiment', file], {
      encoding: 'utf8',
      timeout: 120_000,
    });
  const failing = cli(write('failing.yaml', `${STUDY}checks: ["four: tasks.milling.wait_mean < 1"]\n`));
  assert.equal(failing.status, 1, failing.stderr);
  assert.match(failing.stdout, /^ {2}FAIL {2}four: tasks\.milling\.wait_mean < 1 \(mean [\d.]+\)$/m);
  const passing = cli(write('passing.yaml', `${STUDY}checks: ["six: tasks.milling.wait_mean < 1"]\n`));
  assert.equal(passing.status, 0, passing.stderr);
  assert.match(passing.stdout, /^ {2}PASS {2}six: /m);
  assert.match(passing.stdout, /^ {2}six − four +tasks\.milling\.wait_mean +-[\d.]+ +[\d.]+ +significant$/m);
});

test('a variant changing a path the model does not have is refused, naming what is there', async () => {
  const file = write(
    'bad.yaml',
    `model: ${MODEL}\nreplications: 2\nmeasures: [tasks.milling.wait_mean]\nvariants:\n  x: { set: { resources.drill.currentCap: 2 } }\n`,
  );
  await assert.rejects(
    runExperiment(file),
    (e: unknown) =>
      e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_EXPERIMENT' && /"resources" has lathe/.test(e.message),
  );
  const proto = write(
    'proto.yaml',
    `model: ${MODEL}\nreplications: 2\nmeasures: [m]\nvariants:\n  x: { set: { __proto__.polluted: 1 } }\n`,
  );
  await assert.rejects(
    runExperiment(proto),
    (e: unknown) =>
      e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_EXPERIMENT' && e.message.includes('variants.x.set'),
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('checks parse as [variant: ]measure op number, and anything else is refused', () => {
  assert.deepEqual(parseCheck('six: tasks.milling.wait_p95 <= 60'), {
    variant: 'six',
    measure: 'tasks.milling.wait_p95',
    op: '<=',
    value: 60,
    text: 'six: tasks.milling.wait_p95 <= 60',
  });
  assert.equal(parseCheck('resources.lathe.utilization_avg > 1e1').value, 10);
  assert.throws(() => parseCheck('wait is small'), /expected "\[variant: \]<measure> <\|<=\|>\|>= <number>"/);
});

test('sim report writes Markdown and HTML with a chart per measure, and exits 1 on a failed check', () => {
  const file = write('report-study.yaml', `${STUDY}checks:\n  - "tasks.milling.wait_mean < 0.001"\n`);
  const out = join(dir, 'report');
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'src/cli/main.ts'), 'sim', 'report', file, '--out', out, '--title', 'Lathes'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(r.status, 1, r.stderr); // the check fails: four lathes are saturated
  assert.match(r.stdout, /wrote .*report\.md, .*report\.html and 2 charts/);
  const md = readFileSync(join(out, 'report.md'), 'utf8');
  assert.match(md, /^# Lathes\n\n3 variants × 5 replications on common seeds; intervals at 95 %\./);
  assert.match(md, /## tasks\.milling\.wait_mean\n\n!\[tasks\.milling\.wait_mean\]\(chart-1\.svg\)/);
  assert.match(md, /\| six \| [\d.]+ \| [\d.]+ \|/);
  assert.match(md, /\| six − four \| tasks\.milling\.wait_mean \| -[\d.]+ \| [\d.]+ \| significant \|/);
  assert.match(md, /- FAIL four: tasks\.milling\.wait_mean < 0\.001/);
  const svg = readFileSync(join(out, 'chart-2.svg'), 'utf8');
  assert.match(svg, /^<svg /);
  // One bar and one interval per variant.
  assert.equal((svg.match(/aria-label="resources\.lathe\.utilization_avg: [\d.]+; variant: /g) ?? []).length, 3);
  assert.equal((svg.match(/aria-label="low: [\d.]+; variant: [a-z=\d]+; high: /g) ?? []).length, 3);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.match(html, /<li>FAIL four: tasks\.milling\.wait_mean &lt; 0\.001/);
});
