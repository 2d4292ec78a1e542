// Parameter updates from outside (MQTT, Kafka, files): prototype keys are refused by name, nothing from the
// message ever becomes a prototype, and every message is either applied or rejected with a reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Environment, ParameterIngress, ParameterRegistry, Sampler } from '../../src/sim/index.ts';
import { anyOutsideValue, fuzzParameters } from '../support/fuzz.ts';

function lineA() {
  const reg = new ParameterRegistry(new Environment());
  reg.register({
    simId: 'Line_A',
    arrival: { standard: { dist: 'exponential', rate: 2 } },
    service: { milling: { dist: 'normal', mean: 2, std: 0.2, min: 0 } },
    resources: { lathe: { currentCap: 4, maxCap: 10 } },
    variables: { shift: 'day' },
  });
  return reg;
}

function hasPollutedPrototype(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== null && proto !== Object.prototype && proto !== Array.prototype) return true;
  return Object.values(v).some(hasPollutedPrototype);
}

describe('parameter updates from outside', () => {
  it('an update carrying "__proto__" is refused by name and the live config keeps its prototype', () => {
    const reg = lineA();
    const live = reg.getConfig('Line_A.service.milling');
    const ingress = new ParameterIngress(reg);
    const message =
      '{"path":"Line_A.service.milling","value":{"dist":"normal","mean":2,"std":0.2,"min":0,"__proto__":{"max":-5}}}';
    assert.equal(ingress.handle(message, 'mqtt:plant/params'), 0);
    assert.deepEqual(ingress.counters, { received: 1, applied: 0, rejected: 1 });
    assert.equal(ingress.rejections[0]!.code, 'TS_SIM_BAD_PARAMETER');
    assert.match(ingress.rejections[0]!.reason, /Line_A\.service\.milling\.__proto__ is a key no parameter may have/);
    assert.equal((live as { max?: number }).max, undefined);
    assert.ok(new Sampler({ seed: 1 }).sample(live) >= 0);
  });

  it('"constructor" and "prototype" keys are refused too, at any depth, in register and update', () => {
    const reg = lineA();
    for (const key of ['constructor', 'prototype']) {
      assert.throws(
        () => reg.update('Line_A.variables.shift', JSON.parse(`{"a":[{"${key}":1}]}`)),
        new RegExp(`Line_A\\.variables\\.shift\\.a\\[0\\]\\.${key} is a key no parameter may have`),
      );
    }
    assert.throws(
      () => reg.register(JSON.parse('{"simId":"B","arrival":{"__proto__":{"dist":"constant","value":1}}}')),
      /B\.arrival\.__proto__ is a key no parameter may have/,
    );
  });

  it('names that are Object.prototype members are ordinary names: "toString" as a simId, entry or variable', () => {
    const reg = new ParameterRegistry(new Environment());
    reg.register({ simId: 'toString', variables: { hasOwnProperty: 1, valueOf: 2 } });
    assert.equal(reg.get('toString.variables.valueOf'), 2);
    reg.update('toString.variables.hasOwnProperty', 3);
    assert.equal(reg.get('toString.variables.hasOwnProperty'), 3);
    assert.throws(() => reg.get('constructor'), /parameter "constructor" does not exist/);
  });

  it('a value nested 10,000 deep is refused with the path, not a stack overflow', () => {
    const reg = lineA();
    const deep = JSON.parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    assert.throws(
      () => reg.update('Line_A.variables.shift', deep),
      /Line_A\.variables\.shift(\[0\])+ nests deeper than 64 levels/,
    );
  });

  it('"[]" and invalid UTF-8 are rejected, counted and reported, never silently dropped', () => {
    const reg = lineA();
    const reasons: string[] = [];
    const ingress = new ParameterIngress(reg, { onReject: (r) => reasons.push(r.reason) });
    assert.equal(ingress.handle('[]', 't'), 0);
    assert.equal(ingress.handle(Buffer.from([0x22, 0xff, 0x22]), 't', 'Line_A.variables.shift'), 0);
    assert.deepEqual(ingress.counters, { received: 2, applied: 0, rejected: 2 });
    assert.deepEqual(reasons, ['an empty array holds no update', 'the message is not valid UTF-8']);
    assert.equal(reg.get('Line_A.variables.shift'), 'day');
    // With a path from the transport (an MQTT topic, a Kafka key), [] is a value like any other.
    assert.equal(ingress.handle('[]', 't', 'Line_A.variables.shift'), 1);
    assert.deepEqual(reg.get('Line_A.variables.shift'), []);
  });

  it('any message is applied or rejected, and no prototype in the registry is ever changed', () => {
    const path = fc.constantFrom(
      'Line_A.variables.shift',
      'Line_A.service.milling',
      'Line_A.service.milling.max',
      'Line_A.arrival.standard',
      'Line_A.resources.lathe',
      'Line_A.__proto__',
      'Line_A.constructor',
      'Line_A.service.toString',
    );
    const message = fc.oneof(
      fc.record({ path, value: anyOutsideValue() }).map((u) => JSON.stringify(u)),
      fc
        .tuple(path, anyOutsideValue())
        .map(([p, v]) => `{"path":${JSON.stringify(p)},"value":{"__proto__":${JSON.stringify(v) ?? 'null'}}}`),
      fc.string(),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
        const reg = lineA();
        const ingress = new ParameterIngress(reg);
        for (const m of messages) ingress.handle(m, 'fuzz');
        const { received, applied, rejected } = ingress.counters;
        if (received !== messages.length || applied + rejected < received) return false;
        if (({} as { max?: unknown }).max !== undefined) return false;
        return (
          reg.entries().every(([p]) => !p.split('.').some((k) => k === '__proto__')) &&
          !hasPollutedPrototype(reg.get('Line_A'))
        );
      }),
      fuzzParameters(500),
    );
  });
});
