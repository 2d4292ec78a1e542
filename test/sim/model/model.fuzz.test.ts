// Models from outside (YAML or JSON files, objects): every bad model is TS_SIM_BAD_MODEL naming the field, and no
// model that passes validation can freeze simulated time.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import YAML from 'yaml';
import { TwinstreamError } from '../../../src/index.ts';
import { Environment, RealtimeEnvironment } from '../../../src/sim/index.ts';
import { MAX_STALLED_TIMEOUTS } from '../../../src/sim/kernel/environment.ts';
import { buildModel, loadModel, validateModel } from '../../../src/sim/model/index.ts';
import { anyOutsideValue, fuzzParameters, mutate } from '../../support/fuzz.ts';

const MODEL = new URL('../../../examples/models/line-a.yaml', import.meta.url).pathname;
const lineA = () => YAML.parse(readFileSync(MODEL, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'twinstream-model-fuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function badModel(pattern: RegExp) {
  return (e: unknown) => e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL' && pattern.test(e.message);
}

async function loadYaml(text: string, name = 'm.yaml') {
  const file = join(dir, name);
  writeFileSync(file, text);
  return loadModel(file);
}

describe('model cross-references and names', () => {
  it('"toString", "constructor" and "__proto__" are not resources, arrivals or flows of a model', async () => {
    for (const [edit, where] of [
      [(m: any) => void (m.flows[0].steps[0].resource = 'toString'), /flows\[0\]\.steps\[0\]\.resource/],
      [(m: any) => void (m.flows[0].steps[0].resource = '__proto__'), /flows\[0\]\.steps\[0\]\.resource/],
      [(m: any) => void (m.flows[0].arrival = 'constructor'), /flows\[0\]\.arrival/],
      [(m: any) => void (m.flows[0].name = '__proto__'), /flows\[0\]\.name/],
    ] as const) {
      const m = lineA();
      edit(m);
      await assert.rejects(validateModel(m, 'm'), badModel(where));
    }
  });

  it('a "__proto__" entry in a YAML section is refused with its line, not dropped', async () => {
    const text = readFileSync(MODEL, 'utf8').replace(
      '  milling: { dist: normal',
      '  __proto__: { dist: constant, value: 1 }\n  milling: { dist: normal',
    );
    await assert.rejects(
      loadYaml(text),
      badModel(/is a key no parameter may have[^\n]*\n {2}→ at service\.__proto__ \(line 10\)/),
    );
  });

  it('a simId of "toString" is an ordinary name', async () => {
    const m = lineA();
    m.simId = 'toString';
    const spec = await validateModel(m, 'm');
    const built = buildModel(new RealtimeEnvironment({ factor: 0 }), spec, 1);
    assert.ok(built);
  });
});

describe('models that would freeze simulated time', () => {
  it('rate 1e300 and telemetry interval 1e-300 are refused with their fields', async () => {
    const fast = lineA();
    fast.arrival.standard.rate = 1e300;
    await assert.rejects(
      validateModel(fast, 'm'),
      badModel(/expected a rate <= 1000000000 per time unit\n.*arrival\.standard\.rate/),
    );
    const tiny = lineA();
    tiny.telemetry.interval = 1e-300;
    await assert.rejects(validateModel(tiny, 'm'), badModel(/run\.until \/ 1e9.*\n.*telemetry\.interval/));
  });

  it('a schedule that sets rate 1e300 is refused by the registry', async () => {
    const m = lineA();
    m.schedule = [{ at: 10, path: 'Line_A.arrival.standard.rate', value: 1e300 }];
    const spec = await validateModel(m, 'm');
    const env = new RealtimeEnvironment({ factor: 0 });
    buildModel(env, spec, 1);
    await assert.rejects(
      env.run({ until: 20 }),
      /rate = 1e\+300 is not valid; expected a rate <= 1000000000 per time unit/,
    );
  });

  it('the kernel refuses a process whose timeouts stop advancing time, naming it', () => {
    const env = new Environment({ initialTime: 1 });
    env.process(
      (function* () {
        for (;;) yield env.timeout(1e-300);
      })(),
      'arrivals',
    );
    assert.throws(
      () => env.run({ until: 2 }),
      (e: any) =>
        e.code === 'TS_SIM_TIME_STALLED' &&
        e.context.process === 'arrivals' &&
        /process "arrivals" asked for timeout\(1e-300\) at time 1/.test(e.message),
    );
    // A few such timeouts at different times are fine (a tiny delay is a zero delay there).
    const ok = new Environment({ initialTime: 1 });
    ok.process(
      (function* () {
        for (let i = 0; i < 3 * MAX_STALLED_TIMEOUTS; i++) yield ok.timeout(i % 2 === 0 ? 1e-300 : 1e-6);
      })(),
    );
    ok.run();
  });
});

describe('model files that used to end in a stack trace', () => {
  it('a YAML alias bomb is TS_SIM_BAD_MODEL', async () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    await assert.rejects(loadYaml(`${levels.join('\n')}\n`), badModel(/not a usable YAML document: .*alias/));
  });

  it('JSON nested 10,000 deep in variables is refused with its field', async () => {
    const file = join(dir, 'deep.json');
    const m = lineA();
    writeFileSync(
      file,
      JSON.stringify(m).replace('"simId"', `"variables":{"v":${'['.repeat(10_000)}${']'.repeat(10_000)}},"simId"`),
    );
    await assert.rejects(loadModel(file), badModel(/nests deeper than 64 levels[^\n]*\n.*variables\.v/));
  });

  it('a 100,000-character sink path is refused with its field', async () => {
    const m = lineA();
    m.egress.sinks[0].path = 'x'.repeat(100_000);
    await assert.rejects(validateModel(m, 'm'), badModel(/at most 1024 characters\n.*egress\.sinks\[0\]\.path/));
  });
});

describe('mutated models', () => {
  it('validate, or fail with TS_SIM_BAD_MODEL; a valid one builds', async () => {
    const special = fc.constantFrom(
      '__proto__',
      'toString',
      'constructor',
      1e300,
      1e-300,
      -1,
      0,
      Number.NaN,
      'x'.repeat(2000),
      [],
      {},
      JSON.parse('{"__proto__":{"max":-5}}'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.array(fc.double({ min: 0, max: 0.999 }), { minLength: 1, maxLength: 5 }),
            fc.oneof(special, anyOutsideValue()),
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        async (edits) => {
          const m = lineA();
          for (const [picks, value] of edits) mutate(m, picks, value);
          let spec: Awaited<ReturnType<typeof validateModel>>;
          try {
            spec = await validateModel(m, 'm');
          } catch (e) {
            return e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL';
          }
          buildModel(new RealtimeEnvironment({ factor: 0 }), spec, 1);
          return true;
        },
      ),
      fuzzParameters(400),
    );
  });
});

describe('mutated model files', () => {
  it('load, or fail with TS_SIM_BAD_MODEL, whatever characters are changed in the YAML or JSON', async () => {
    const yaml = readFileSync(MODEL, 'utf8');
    const json = JSON.stringify(lineA());
    const edit = fc.tuple(
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      fc.nat({ max: 3 }),
      fc.constantFrom(
        '',
        ' ',
        ':',
        '-',
        '[',
        '{',
        '&a',
        '*a',
        '!!js/function',
        '__proto__',
        '"',
        '\n',
        '\t',
        '\u0000',
        '1e300',
      ),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 4 }), async (asJson, edits) => {
        let text = asJson ? json : yaml;
        for (const [at, cut, insert] of edits) {
          const i = Math.floor(at * text.length);
          text = text.slice(0, i) + insert + text.slice(i + cut);
        }
        const file = join(dir, `mutated-${n++}.${asJson ? 'json' : 'yaml'}`);
        writeFileSync(file, text);
        try {
          await loadModel(file);
          return true;
        } catch (e) {
          return e instanceof TwinstreamError && e.code === 'TS_SIM_BAD_MODEL';
        } finally {
          rmSync(file);
        }
      }),
      fuzzParameters(400),
    );
  });
});
