// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} in these strings is the model file syntax under test
// Model files as users write them: ${VAR:-default}, !include, durations in distributions, and the JSON Schema.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { loadModel, modelJsonSchema, validateModel } from '../../../src/sim/model/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-model-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const BODY = `arrival:
  standard: { dist: exponential, rate: 2 }
service:
  milling: { dist: normal, mean: 2, std: 0.2, min: 0 }
resources:
  lathe: { currentCap: 4, maxCap: 10 }
flows:
  - { name: milling, arrival: standard, steps: [{ resource: lathe, service: milling }] }
`;

test('variables and variables with a default ($NAME in braces, :- default) read the environment; $$ is a dollar; an unset variable with no default names its line', async () => {
  const file = write(
    'vars.yaml',
    `simId: \${LINE:-Line_A}\ndescription: costs $$5\n${BODY}run: { until: \${HOURS}h, seed: \${SEED:-7} }\n`,
  );
  const spec = await loadModel(file, { env: { HOURS: '2', LINE: '' } });
  assert.equal(spec.simId, 'Line_A'); // empty counts as unset, as in a shell's :-
  assert.equal(spec.description, 'costs $5');
  assert.equal(spec.run.until, 7200);
  assert.equal(spec.run.seed, 7);
  assert.equal((await loadModel(file, { env: { HOURS: '1', SEED: '9' } })).run.seed, 9);
  await assert.rejects(loadModel(file, { env: {} }), {
    code: 'TS_SIM_BAD_MODEL',
    message: `${file} line 11: \${HOURS} is not set and has no default; set HOURS, or write \${HOURS:-value}`,
  });
});

test('!include loads a file relative to the includer; an error inside it names its line in that file', async () => {
  mkdirSync(join(dir, 'parts'));
  write('parts/resources.yaml', '# the shop floor\nlathe: { currentCap: 4, maxCap: 10 }\n');
  write(
    'parts/flows.yaml',
    '- name: milling\n  arrival: standard\n  steps:\n    - { resource: lathe, service: milling }\n',
  );
  const main = write(
    'shop.yaml',
    `simId: Line_A\narrival:\n  standard: { dist: exponential, rate: 2 }\nservice:\n  milling: { dist: normal, mean: 2, std: 0.2 }\nresources: !include parts/resources.yaml\nflows: !include parts/flows.yaml\nrun: { until: 1h }\n`,
  );
  const spec = await loadModel(main);
  assert.deepEqual(spec.resources, { lathe: { currentCap: 4, maxCap: 10 } });
  assert.equal(spec.flows[0]!.steps?.[0]?.resource, 'lathe');
  // A mistake in the included file: its own line, and its name.
  write('parts/resources.yaml', '# the shop floor\nlathe: { currentCap: -4, maxCap: 10 }\n');
  await assert.rejects(loadModel(main), (e: Error & { code: string }) => {
    assert.equal(e.code, 'TS_SIM_BAD_MODEL');
    assert.match(
      e.message,
      /✖ expected a number >= 0\n {2}→ at resources\.lathe\.currentCap \(line 2 of parts\/resources\.yaml\)/,
    );
    return true;
  });
  // Including itself, directly or not, is refused.
  write('parts/resources.yaml', 'lathe: !include ../shop.yaml\n');
  await assert.rejects(loadModel(main), /includes itself/);
  await assert.rejects(
    loadModel(write('missing.yaml', 'simId: !include nowhere.yaml\n')),
    /cannot read model nowhere\.yaml/,
  );
});

test('times in distributions take durations: 5 min, 30s, 1.5 hours', async () => {
  const spec = await validateModel(
    parse(`simId: M
arrival:
  orders: { dist: exponential, rate: 0.01 }
service:
  cut: { dist: truncated_normal, mean: 5 min, std: 30s, low: 1 min }
  weld: { dist: lognormal, mean: 1.5 hours, std: 10 min }
  pack: { dist: empirical, edges: [0, 1 min, 3 min], counts: [1, 3] }
  wait: { dist: uniform, low: 1m, high: 2 mins, max: 100 }
flows:
  - { name: orders, arrival: orders, steps: [{ service: cut }, { service: weld }, { service: pack }] }
run: { until: 1 week }
`),
  );
  assert.deepEqual(spec.service.cut, { dist: 'truncated_normal', mean: 300, std: 30, low: 60 });
  assert.deepEqual(spec.service.weld, { dist: 'lognormal', mean: 5400, std: 600 });
  assert.deepEqual(spec.service.pack, { dist: 'empirical', edges: [0, 60, 180], counts: [1, 3] });
  assert.deepEqual(spec.service.wait, { dist: 'uniform', low: 60, high: 120, max: 100 });
  assert.equal(spec.run.until, 604_800);
  await assert.rejects(
    validateModel({ ...spec, service: { ...spec.service, cut: { dist: 'normal', mean: '5 fortnights', std: 1 } } }),
    /expected a number\n {2}→ at service\.cut\.mean/,
  );
  await assert.rejects(
    validateModel({ ...spec, service: { ...spec.service, weld: { dist: 'lognormal', mean: 2, std: 1, sigma: 1 } } }),
    /either \{ mean, std \} of the values or \{ mu, sigma \} of their logarithm, not both\n {2}→ at service\.weld\.std/,
  );
});

test('the JSON Schema accepts the example model and durations, and refuses what validation refuses', async () => {
  const schema = await modelJsonSchema();
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const valid = ajv.compile(schema);
  const lineA = parse(readFileSync(new URL('../../../examples/models/line-a.yaml', import.meta.url), 'utf8')) as object;
  assert.ok(valid(lineA), JSON.stringify(valid.errors));
  assert.ok(valid({ ...lineA, run: { until: '1 week' } }), JSON.stringify(valid.errors));
  assert.ok(
    valid({ ...lineA, service: { milling: { dist: 'truncated_normal', mean: '2 min', std: 5, low: 0 } } }),
    JSON.stringify(valid.errors),
  );
  assert.equal(valid({ ...lineA, run: { until: 'soon' } }), false);
  assert.equal(valid({ ...lineA, resources: { lathe: { currentCap: -1, maxCap: 1 } } }), false);
  assert.equal(valid({ ...lineA, service: { milling: { dist: 'poisson', rate: 1 } } }), false);
  assert.equal(valid({ ...lineA, colour: 'red' }), false);
  // Priority stores, wait branches, subscriptions, fire from, scenario interrupts and replayed rows are in it too.
  const shop = {
    simId: 'Shop',
    arrival: {
      a: { dist: 'replay', file: 'gate.csv', column: 'at', unit: 'timestamp', fields: 'all', onInvalid: 'skip' },
    },
    service: { s: { dist: 'constant', value: 1 } },
    resources: { r: { currentCap: 1, maxCap: 1 } },
    stores: { bin: { currentCap: 5, maxCap: 5, priority: true, items: [[1, 'x']] } },
    signals: { go: {} },
    flows: [{ name: 'a', arrival: 'a', start: 't' }],
    tasks: {
      t: {
        put: { store: 'bin', priority: 'attr.rank' },
        wait: { any: { unit: { request: 'r' }, item: { get: { store: 'bin' } }, batch: { running: { task: 't' } } } },
        subscribe: { signal: 'go' },
        on: [{ fire: { signal: 'go', from: 't' } }],
      },
    },
    scenario: [{ at: 5, interrupt: { task: 't', where: 'attr.rank > 1', cause: 'dip' } }],
    run: { until: 10 },
  };
  assert.ok(valid(shop), JSON.stringify(valid.errors));
  assert.equal(valid({ ...shop, tasks: { t: { wait: { request: 'r', get: { store: 'bin' } } } } }), false);
});

test('a ${NAME} in a comment is left alone: an unset one no longer fails, and nothing changes', async () => {
  const plain = `simId: Line_A\ndescription: costs $$5\n${BODY}run: { until: 2h }\n`;
  const commented =
    '# Set ${NOT_SET_ANYWHERE_2} to change the line (a $$ here is text too)\n' +
    `simId: Line_A # or \${LINE:-Line_B}\ndescription: costs $$5\n${BODY}run: { until: 2h } # \${NOT_SET_ANYWHERE_3:-}\n`;
  const env = { LINE: 'Line_C' };
  const expected = await loadModel(write('plain.yaml', plain), { env });
  const spec = await loadModel(write('commented.yaml', commented), { env });
  assert.deepEqual(spec, expected);
  assert.equal(spec.simId, 'Line_A');
  assert.equal(spec.description, 'costs $5');
});

test('variables are replaced in values only: a value holding YAML stays text; a key is left; includes', async () => {
  mkdirSync(join(dir, 'parts'), { recursive: true });
  write('parts/lathes.yaml', 'lathe: { currentCap: ${LATHES:-4}, maxCap: 10 }\n');
  const body = BODY.replace(/resources:\n.*\n/, 'resources: !include ${PARTS:-parts}/lathes.yaml\n');
  const file = write('values.yaml', `simId: \${LINE:-Line_A}\ndescription: \${DESC}\n${body}run: { until: 1h }\n`);
  // Written into the text, this value would have added a key and a comment.
  const desc = 'x\nrun: { until: 1s } # here';
  const spec = await loadModel(file, { env: { DESC: desc, LATHES: '6' } });
  assert.equal(spec.simId, 'Line_A');
  assert.equal(spec.description, desc);
  assert.equal(spec.run.until, 3600);
  assert.deepEqual(spec.resources, { lathe: { currentCap: 6, maxCap: 10 } });
  // A key is not a value: an unset variable there is not looked up (the key is refused as unknown).
  const keyed = write('keyed.yaml', `\${NOT_A_KEY_VARIABLE}: 1\n${readFileSync(file, 'utf8')}`);
  await assert.rejects(loadModel(keyed, { env: { DESC: 'd' } }), (e: Error) => {
    assert.match(e.message, /NOT_A_KEY_VARIABLE/);
    assert.doesNotMatch(e.message, /is not set/);
    return true;
  });
});

test('JSON model files: variables in values, an unset one named by its field', async () => {
  const model = parse(`simId: Line_A\n${BODY}run: { until: 1h }\n`) as Record<string, unknown>;
  model.simId = '${LINE:-Line_J}';
  model.run = { until: '${HOURS}h', seed: '${SEED:-3}' };
  const file = write('vars.json', JSON.stringify(model));
  const spec = await loadModel(file, { env: { HOURS: '2' } });
  assert.equal(spec.simId, 'Line_J');
  assert.equal(spec.run.until, 7200);
  assert.equal(spec.run.seed, 3);
  await assert.rejects(loadModel(file, { env: {} }), {
    code: 'TS_SIM_BAD_MODEL',
    message: `${file} at run.until: \${HOURS} is not set and has no default; set HOURS, or write \${HOURS:-value}`,
  });
});

test("capacities left out take desflow's defaults; a currentCap above maxCap is refused with its line", async () => {
  const flows = 'flows:\n  - { name: milling, arrival: standard, steps: [{ resource: lathe, service: milling }] }\n';
  const head =
    'simId: Caps\narrival:\n  standard: { dist: exponential, rate: 2 }\nservice:\n  milling: { dist: constant, value: 1 }\n';
  const spec = await loadModel(
    write(
      'caps.yaml',
      `${head}resources:\n  lathe: {}\n  press: { currentCap: 3 }\n  saw: { maxCap: 5 }\ncontainers:\n  silo: {}\n  tank: { maxCap: 50 }\nstores:\n  shelf: {}\n${flows}run: { until: 10 }\n`,
    ),
  );
  // A resource: one unit; maxCap takes currentCap, currentCap takes maxCap.
  assert.deepEqual(spec.resources, {
    lathe: { currentCap: 1, maxCap: 1 },
    press: { currentCap: 3, maxCap: 3 },
    saw: { currentCap: 5, maxCap: 5 },
  });
  // A container or a store with neither has no limit.
  assert.deepEqual(spec.containers, {
    silo: { currentCap: Number.POSITIVE_INFINITY, maxCap: Number.POSITIVE_INFINITY },
    tank: { currentCap: 50, maxCap: 50 },
  });
  assert.deepEqual(spec.stores, { shelf: { currentCap: Number.POSITIVE_INFINITY, maxCap: Number.POSITIVE_INFINITY } });
  const over = write(
    'over.yaml',
    `${head}resources:\n  lathe: { currentCap: 5, maxCap: 2 }\n${flows}run: { until: 10 }\n`,
  );
  await assert.rejects(loadModel(over), (e: Error & { code: string }) => {
    assert.equal(e.code, 'TS_SIM_BAD_MODEL');
    assert.match(e.message, /expected a number <= maxCap \(2\)\n\s+→ at resources\.lathe\.currentCap \(line 7\)/);
    return true;
  });
  const zero = write('zero.yaml', `${head}resources:\n  lathe: { currentCap: 0 }\n${flows}run: { until: 10 }\n`);
  await assert.rejects(loadModel(zero), /without maxCap it is currentCap, 0\)\n\s+→ at resources\.lathe\.maxCap/);
});
