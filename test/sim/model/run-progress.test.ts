// runModel's onProgress: where a long run is, every 200 ms of wall time (what `sim run` draws its progress bar from).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadModel, type ModelProgress, runModel } from '../../../src/sim/index.ts';

const MODEL = fileURLToPath(new URL('../../../examples/models/line-a.yaml', import.meta.url));

test('a run reports its progress while it runs, in order, up to the end', async () => {
  const seen: ModelProgress[] = [];
  // Two simulated hours paced to 3.6 s of wall time, the model's own files left out: about 18 reports.
  const spec = await loadModel(MODEL);
  const t0 = performance.now();
  const summary = await runModel(
    { ...spec, egress: { sinks: [] } },
    { until: '2h', factor: 0.0005, onProgress: (p) => seen.push(p), sinks: [{ name: 'count', write() {} }] },
  );
  const wall = performance.now() - t0;
  assert.ok(seen.length >= 5, `${seen.length} reports in ${wall.toFixed(0)} ms`);
  assert.ok(seen.at(-1)!.simulatedSeconds > 3600);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i]!.simulatedSeconds >= seen[i - 1]!.simulatedSeconds);
    assert.ok(seen[i]!.events >= seen[i - 1]!.events);
    assert.ok(seen[i]!.records >= seen[i - 1]!.records);
  }
  for (const p of seen) {
    assert.equal(p.until, 7200);
    assert.ok(p.simulatedSeconds <= p.until);
    assert.ok(p.events <= summary.events);
  }
});
