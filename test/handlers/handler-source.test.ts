import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../src/core/index.ts';
import { LocalHandler } from '../../src/handlers/index.ts';

test('handler.toStream samples the handler at given times into a pipeline', async () => {
  const h = new LocalHandler({ values: { 0: 0, 10: 100 }, interpolation: 'linear' });
  h.addVariable(['room', 'heater'], '');
  await h.start();
  const samples = h.toStream([0, 2.5, 5, 10]);
  const out = samples.map((s) => `${s.t}: ${s['room.heater']}`).sinkToList();
  samples.start();
  await samples.done;
  assert.deepEqual(out, ['0: 0', '2.5: 25', '5: 50', '10: 100']);
});

test('async times, stopping early', async () => {
  const h = new LocalHandler({ values: { 0: 1 } });
  h.addVariable(['m', 'v'], '');
  async function* ticks() {
    for (let t = 0; ; t++) yield t;
  }
  const samples = h.toStream(ticks());
  const seen: number[] = [];
  samples.sink((s) => {
    seen.push(s.t);
    if (s.t === 3) samples.stop();
  });
  samples.start();
  await samples.done;
  assert.deepEqual(seen, [0, 1, 2, 3]);
});
