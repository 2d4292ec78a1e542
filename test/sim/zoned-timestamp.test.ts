// Timestamps written as local times in a time zone with their offset (desflow's form), and UTC by default.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TwinstreamError } from '../../src/index.ts';
import type { EgressSink, SimRecord } from '../../src/sim/index.ts';
import { runModel } from '../../src/sim/model/index.ts';
import { zonedTimestamp } from '../../src/sim/zoned-timestamp.ts';

test('a zone writes the offset in force at each instant, across a daylight-saving change', () => {
  const paris = zonedTimestamp('Europe/Paris');
  assert.equal(paris(Date.parse('2024-01-01T05:00:10Z')), '2024-01-01T06:00:10.000+01:00');
  // Clocks go forward at 01:00 UTC on 31 March 2024.
  assert.equal(paris(Date.parse('2024-03-31T00:59:59.999Z')), '2024-03-31T01:59:59.999+01:00');
  assert.equal(paris(Date.parse('2024-03-31T01:00:00Z')), '2024-03-31T03:00:00.000+02:00');
  assert.equal(zonedTimestamp('America/St_Johns')(Date.parse('2024-01-01T12:00:00Z')), '2024-01-01T08:30:00.000-03:30');
  assert.equal(zonedTimestamp('UTC')(Date.parse('2024-01-01T12:00:00Z')), '2024-01-01T12:00:00.000+00:00');
  assert.throws(() => zonedTimestamp('Mars/Olympus'), TwinstreamError);
});

test('a model writes UTC by default, and local times with run.localTimestamps', async () => {
  const stamps = async (localTimestamps: boolean) => {
    const records: SimRecord[] = [];
    const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
    await runModel(
      {
        simId: 'Cell',
        arrival: { parts: { dist: 'constant', value: 2 } },
        service: { press: { dist: 'constant', value: 1 } },
        flows: [{ name: 'parts', arrival: 'parts', steps: [{ service: 'press' }] }],
        run: { until: 3.5, logicalStartTime: '2024-07-01T08:00:00', timeZone: 'Europe/Paris', localTimestamps },
      },
      { sinks: [sink] },
    );
    return records.map((r) => r.timestamp);
  };
  assert.deepEqual(await stamps(false), [
    '2024-07-01T06:00:02.000Z',
    '2024-07-01T06:00:02.000Z',
    '2024-07-01T06:00:03.000Z',
  ]);
  assert.deepEqual(await stamps(true), [
    '2024-07-01T08:00:02.000+02:00',
    '2024-07-01T08:00:02.000+02:00',
    '2024-07-01T08:00:03.000+02:00',
  ]);
});
