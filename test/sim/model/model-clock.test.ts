// A model's clock: a start relative to now or in a time zone, and goLiveAt — history backfilled unpaced, then paced.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';
import { modelClock, modelTime } from '../../../src/sim/model/model-clock.ts';

const NOW = Date.parse('2024-03-31T12:00:00Z');

test('model times: now, signed durations from now, ISO times with a zone, local times in a time zone', () => {
  assert.equal(modelTime('now', NOW, undefined, 'f'), NOW);
  assert.equal(modelTime('-7d', NOW, undefined, 'f'), NOW - 7 * 86_400_000);
  assert.equal(modelTime('+2 hours', NOW, undefined, 'f'), NOW + 7_200_000);
  assert.equal(modelTime('2024-01-01T00:00:00Z', NOW, 'Asia/Tokyo', 'f'), Date.parse('2024-01-01T00:00:00Z'));
  assert.equal(modelTime('2024-01-01T06:00', NOW, undefined, 'f'), Date.parse('2024-01-01T06:00:00Z'));
  // Paris is UTC+1 in winter and UTC+2 from the last Sunday of March (2024-03-31 at 02:00 local).
  assert.equal(modelTime('2024-01-01T06:00', NOW, 'Europe/Paris', 'f'), Date.parse('2024-01-01T05:00:00Z'));
  assert.equal(modelTime('2024-03-31T01:30', NOW, 'Europe/Paris', 'f'), Date.parse('2024-03-31T00:30:00Z'));
  assert.equal(modelTime('2024-03-31T06:00', NOW, 'Europe/Paris', 'f'), Date.parse('2024-03-31T04:00:00Z'));
  assert.equal(modelTime('2024-07-01', NOW, 'America/New_York', 'f'), Date.parse('2024-07-01T04:00:00Z'));
  assert.throws(() => modelTime('yesterday', NOW, undefined, 'run.logicalStartTime'), {
    code: 'TS_SIM_BAD_MODEL',
    message: /^run\.logicalStartTime = "yesterday" is not valid; expected now, a signed duration/,
  });
  assert.throws(() => modelTime('2024-01-01T06:00', NOW, 'Mars/Olympus', 'f'), /run\.timeZone = "Mars\/Olympus"/);
  assert.deepEqual(modelClock({ logicalStartTime: '-7d', goLiveAt: 'now' }, NOW), {
    startMs: NOW - 7 * 86_400_000,
    goLive: 7 * 86_400,
  });
  // Before the start: the whole run is live, with a warning (desflow 0.25 warns the same and paces the whole run).
  const early = modelClock({ logicalStartTime: 'now', goLiveAt: '-1h' }, NOW);
  assert.deepEqual([early.startMs, early.goLive], [NOW, 0]);
  assert.match(
    early.warning!,
    /goLiveAt = "-1h" \(.*\) is before the start .* so the whole run is paced as a live twin/,
  );
});

function collector(): EgressSink & { records: SimRecord[] } {
  const records: SimRecord[] = [];
  return { name: 'collect', records, write: (batch) => void records.push(...batch) };
}

test('goLiveAt: an hour of history unpaced, then live at the factor; sinks take history or live records', async () => {
  const out = mkdtempSync(join(tmpdir(), 'twinstream-live-'));
  try {
    const spec: ModelSpec = {
      simId: 'Twin',
      arrival: { parts: { dist: 'constant', value: 0.25 } },
      service: { press: { dist: 'constant', value: 0.1 } },
      resources: { press: { currentCap: 1, maxCap: 1 } },
      flows: [{ name: 'parts', arrival: 'parts', steps: [{ resource: 'press', service: 'press' }] }],
      telemetry: { interval: 1 },
      // An hour ago to 1.5 s from now, live from now at half real time: 0.75 s of wall time paced.
      run: { until: 3601.5, logicalStartTime: '-1h', goLiveAt: 'now', factor: 0.5 },
      egress: {
        sinks: [
          { type: 'jsonl', path: 'history.jsonl', when: 'history', streams: ['telemetry'] },
          { type: 'jsonl', path: 'live.jsonl', when: 'live', streams: ['telemetry'], batchSize: 2 },
        ],
      },
    };
    const all = collector();
    const started = performance.now();
    const summary = await runModel(spec, { outDir: out, sinks: [all] });
    const wall = (performance.now() - started) / 1000;
    assert.ok(wall >= 0.7, `the live part is paced: ${wall} s`);
    assert.equal(summary.simulatedTime, 3601.5);
    const pathOf = (r: SimRecord) => (r as { path_id?: string }).path_id ?? '';
    const read = (f: string) =>
      readFileSync(join(out, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as SimRecord);
    const history = read('history.jsonl');
    const live = read('live.jsonl');
    assert.ok(history.every((r) => r.sim_ts < 3600) && history.length === 3600 * 4);
    assert.ok(live.every((r) => r.sim_ts >= 3600));
    // Live telemetry at 3600 and 3601 (the lathe's four figures), and the lag readings of the paced part.
    assert.deepEqual(
      [...new Set(live.filter((r) => pathOf(r).startsWith('Twin.')).map((r) => r.sim_ts))],
      [3600, 3601],
    );
    assert.ok(live.some((r) => pathOf(r) === 'system.simulation.lag_seconds'));
    // The timestamps: simulated time 3600 is now, give or take the run's start-up.
    const liveAt = Date.parse(live[0]!.timestamp);
    assert.ok(Math.abs(liveAt - (started + performance.timeOrigin)) < 5000, `${live[0]!.timestamp}`);
    assert.equal(
      all.records.filter((r) => r.stream_type === 'telemetry' && pathOf(r).startsWith('Twin.')).length,
      3602 * 4,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('goLiveAt before the start: a warning, and the whole run is paced and live, as desflow 0.25 runs it', async () => {
  const warnings: string[] = [];
  const spec: ModelSpec = {
    simId: 'Twin',
    arrival: { parts: { dist: 'constant', value: 0.25 } },
    service: { press: { dist: 'constant', value: 0.1 } },
    resources: { press: { currentCap: 1, maxCap: 1 } },
    flows: [{ name: 'parts', arrival: 'parts', steps: [{ resource: 'press', service: 'press' }] }],
    telemetry: { interval: 0.5 },
    run: { until: 1, logicalStartTime: 'now', goLiveAt: '-1h', factor: 0.5 },
    egress: { sinks: [{ type: 'jsonl', path: 'history.jsonl', when: 'history', streams: ['telemetry'] }] },
  };
  const live: SimRecord[] = [];
  const sink: EgressSink = { name: 'live', write: (batch) => void live.push(...batch) };
  const out = mkdtempSync(join(tmpdir(), 'twinstream-early-'));
  try {
    const started = performance.now();
    const summary = await runModel(spec, { outDir: out, sinks: [sink], onWarning: (m) => warnings.push(m) });
    const wall = (performance.now() - started) / 1000;
    assert.equal(summary.simulatedTime, 1);
    // One simulated second at half real time: paced from the start.
    assert.ok(wall >= 0.45, `paced from the start: ${wall} s`);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^run\.goLiveAt = "-1h" .* is before the start .*, so the whole run is paced as a live twin$/,
    );
    // Nothing is history: the history sink receives no record (its file is never opened).
    assert.ok(!existsSync(join(out, 'history.jsonl')));
    assert.ok(live.some((r) => r.stream_type === 'telemetry'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
