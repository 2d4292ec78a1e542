import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParameterIngress, type ParameterUpdate, RealtimeEnvironment } from '../../../src/sim/index.ts';

function setup() {
  const env = new RealtimeEnvironment({ factor: 0 });
  env.registry.register({
    simId: 'Line_A',
    arrival: { standard: { dist: 'exponential', rate: 2 } },
    service: {},
    variables: { mode: 'auto' },
  });
  const applied: ParameterUpdate[] = [];
  const ingress = new ParameterIngress(env.registry, { onApply: (u) => applied.push(u) });
  return { env, ingress, applied };
}

test('the message shapes: { path, value }, { path_id, value }, arrays, bare values with a transport path', () => {
  const { env, ingress, applied } = setup();
  assert.equal(ingress.handle('{"path":"Line_A.arrival.standard.rate","value":3}', 't'), 1);
  assert.equal(ingress.handle(Buffer.from('{"path_id":"Line_A.variables.mode","value":"manual"}'), 't'), 1);
  assert.equal(
    ingress.handle(
      '[{"path":"Line_A.arrival.standard.rate","value":4},{"path":"Line_A.arrival.standard.rate","value":-1}]',
      't',
    ),
    1,
  );
  assert.equal(ingress.handle('5', 't', 'Line_A.arrival.standard.rate'), 1);
  assert.equal(ingress.handle('[1,2]', 't', 'Line_A.variables.mode'), 1); // an array value, not a list of updates
  assert.deepEqual(env.registry.get('Line_A.variables.mode'), [1, 2]);
  assert.equal(env.registry.get('Line_A.arrival.standard.rate'), 5);
  assert.equal(applied.length, 5);
  assert.deepEqual(ingress.counters, { received: 5, applied: 5, rejected: 1 });
  assert.match(ingress.rejections[0]!.reason, /Line_A\.arrival\.standard/);
});

test('bad messages are rejected with the reason and the next one still applies', () => {
  const { env, ingress } = setup();
  for (const bad of ['', '{"path":"Line_A.arrival.standard.rate"}', '{"path":3,"value":1}', '42', 'null']) {
    assert.equal(ingress.handle(bad, 'src'), 0);
  }
  assert.equal(ingress.handle('{"path":"Line_A.arrival.standard.rate","value":7}', 'src'), 1);
  assert.equal(env.registry.get('Line_A.arrival.standard.rate'), 7);
  assert.deepEqual(
    ingress.rejections.map((r) => r.reason.slice(0, 20)),
    [
      'malformed JSON (Unex',
      'the update of "Line_',
      '"path" must be a dot',
      'expected { "path": "',
      'expected { "path": "',
    ],
  );
  assert.ok(ingress.rejections.every((r) => r.code === 'TS_SIM_BAD_UPDATE' && r.source === 'src'));
});
