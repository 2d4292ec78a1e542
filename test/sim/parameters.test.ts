import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dynamicResource, Environment, ParameterRegistry, Sampler } from '../../src/sim/index.ts';

const lineA = () => ({
  simId: 'Line_A',
  arrival: { standard: { dist: 'exponential' as const, rate: 2 } },
  service: { milling: { dist: 'normal' as const, mean: 2, std: 0.2 } },
  resources: { lathe: { currentCap: 4, maxCap: 10 } },
  variables: { shift: 'day' },
});

test('parameters are addressed by dot paths', () => {
  const reg = new ParameterRegistry(new Environment());
  reg.register(lineA());
  assert.equal(reg.get('Line_A.arrival.standard.rate'), 2);
  assert.deepEqual(reg.get('Line_A.resources.lathe'), { currentCap: 4, maxCap: 10 });
  assert.ok(reg.entries().some(([p, v]) => p === 'Line_A.service.milling.mean' && v === 2));
  assert.throws(
    () => reg.get('Line_A.arrival.express.rate'),
    (e: any) => e.code === 'TS_SIM_UNKNOWN_PARAMETER' && /"Line_A.arrival" has "standard"/.test(e.message),
  );
  assert.throws(() => reg.register(lineA()), /registered already/);
});

test('updates are validated, naming the path and the accepted values, and change nothing when bad', () => {
  const reg = new ParameterRegistry(new Environment());
  reg.register(lineA());
  assert.throws(
    () => reg.update('Line_A.arrival.standard.rate', 0),
    /Line_A\.arrival\.standard\.rate = 0 is not valid; expected a finite number > 0/,
  );
  assert.throws(
    () => reg.update('Line_A.resources.lathe.currentCap', 11),
    /Line_A\.resources\.lathe\.currentCap = 11 is not valid; expected a number from 0 to maxCap \(10\)/,
  );
  assert.throws(
    () => reg.register({ simId: 'B', service: { s: { dist: 'normal', mean: 1, std: -1 } } }),
    /B\.service\.s\.std = -1/,
  );
  assert.equal(reg.get('Line_A.arrival.standard.rate'), 2);
  reg.update('Line_A.service.milling', { dist: 'constant', value: 3 });
  assert.deepEqual(reg.get('Line_A.service.milling'), { dist: 'constant', value: 3 });
});

test('a running simulation reacts: live configs, waitForChange, dynamic capacity, a timed schedule', () => {
  const env = new Environment();
  const reg = new ParameterRegistry(env);
  reg.register(lineA());
  const sampler = new Sampler({ seed: 1 });
  const service = reg.getConfig('Line_A.service.milling');
  const lathe = dynamicResource(reg, 'Line_A', 'lathe');
  const log: string[] = [];
  env.process(
    (function* () {
      const v: unknown = yield reg.waitForChange('Line_A.variables.shift');
      log.push(`${env.now} shift ${v}`);
    })(),
  );
  reg.schedule([
    { at: 20, path: 'Line_A.resources.lathe.currentCap', value: 7 },
    { at: 10, path: 'Line_A.service.milling', value: { dist: 'constant', value: 5 } },
    { at: 15, path: 'Line_A.variables.shift', value: 'night' },
  ]);
  env.process(
    (function* () {
      yield env.timeout(12);
      log.push(`${env.now} service ${sampler.sample(service)}`);
      yield env.timeout(10);
      log.push(`${env.now} capacity ${lathe.capacity}`);
    })(),
  );
  assert.equal(lathe.capacity, 4);
  env.run();
  assert.deepEqual(log, ['12 service 5', '15 shift night', '22 capacity 7']);
});
