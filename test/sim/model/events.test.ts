// Breakdowns, patience (reneging), balking, interrupts (resume, restart, abandon), failures with onFail, signals
// (once, fire on success and failure, after a delay) and waits on signals, child flows, timeouts, conditions and
// any/all/at-least groups. Constant distributions make every time exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EgressSink, SimRecord } from '../../../src/sim/index.ts';
import { type ModelSpec, runModel } from '../../../src/sim/model/index.ts';

async function trace(spec: ModelSpec) {
  const records: SimRecord[] = [];
  const sink: EgressSink = { name: 'collect', write: (batch) => void records.push(...batch) };
  const summary = await runModel(spec, { sinks: [sink] });
  const ev = records.filter((r) => r.stream_type === 'event');
  const lines = ev.map((r) => {
    const v = r.value as Record<string, unknown>;
    const extra = v.cause ?? v.reason;
    return `${r.sim_ts} ${r.key} ${v.task ?? v.resource} ${v.status}${extra === undefined ? '' : ` (${extra})`}`;
  });
  return { lines, summary, values: ev.map((r) => r.value as Record<string, unknown>) };
}

const constant = (value: number) => ({ dist: 'constant', value }) as const;

test('a breakdown interrupts the work in progress, which resumes after the repair; down and repaired are published', async () => {
  const spec = (work: 'interrupt' | 'finish'): ModelSpec => ({
    simId: 'Line',
    arrival: { once: constant(1) },
    service: { ten: constant(10) },
    resources: {
      press: { currentCap: 1, maxCap: 1, breakdown: { timeToFailure: constant(5), repair: constant(3), work } },
    },
    flows: [{ name: 'parts', arrival: 'once', entity: 'part', limit: 1, start: 'press' }],
    tasks: { press: { service: 'ten', resource: 'press' } },
    run: { until: 16 },
  });
  const interrupted = await trace(spec('interrupt'));
  // Down at 5 for 3: the part, with 6 left, resumes at 8; the next failure, 5 after the repair (13), catches it with
  // 1 left.
  assert.deepEqual(interrupted.lines, [
    '1 part-0 press queued',
    '1 part-0 press started',
    '5 press-breakdown press down',
    '5 part-0 press interrupted (breakdown)',
    '8 press-breakdown press repaired',
    '8 part-0 press resumed',
    '13 press-breakdown press down',
    '13 part-0 press interrupted (breakdown)',
  ]);
  const finished = await trace(spec('finish'));
  // Down 5 to 8 and from 13 to the end (16): 6 s in 2 failures.
  assert.equal(finished.summary.statistics['Line.stats.resources.press.failures'], 2);
  assert.equal(finished.summary.statistics['Line.stats.resources.press.downtime'], 6);
  assert.deepEqual(finished.lines, [
    '1 part-0 press queued',
    '1 part-0 press started',
    '5 press-breakdown press down',
    '8 press-breakdown press repaired',
    '11 part-0 press finished',
    '13 press-breakdown press down',
  ]);
});

test('interrupts: restart draws the service again, abandon leaves for onInterruptNext; `where` picks the instances', async () => {
  const spec = (onInterrupt: 'resume' | 'restart' | 'abandon'): ModelSpec => ({
    simId: 'Cell',
    arrival: { each: constant(1), alarm: constant(4) },
    service: { ten: constant(10), one: constant(1) },
    flows: [
      { name: 'jobs', arrival: 'each', entity: 'job', limit: 2, start: 'weld', attributes: { n: { expr: 't' } } },
      { name: 'alarms', arrival: 'alarm', entity: 'alarm', limit: 1, start: 'alarm' },
    ],
    tasks: {
      weld: { service: 'ten', onInterrupt, onInterruptNext: 'scrap' },
      scrap: { service: 'one' },
      // Interrupts the weld of the job that arrived first only.
      alarm: { interrupt: { task: 'weld', where: 'attr.n == 1', cause: 'alarm' } },
    },
    run: { until: 30 },
  });
  const restart = await trace(spec('restart'));
  assert.deepEqual(
    restart.lines.filter((l) => l.includes('job-0')),
    [
      '1 job-0 weld started',
      '4 job-0 weld interrupted (alarm)',
      '4 job-0 weld resumed',
      '14 job-0 weld finished', // 10 drawn again from 4
    ],
  );
  assert.ok(restart.lines.includes('12 job-1 weld finished'), 'job-1 is not interrupted');
  const resume = await trace(spec('resume'));
  assert.ok(resume.lines.includes('11 job-0 weld finished'));
  const abandon = await trace(spec('abandon'));
  assert.deepEqual(
    abandon.lines.filter((l) => l.includes('job-0')),
    ['1 job-0 weld started', '4 job-0 weld interrupted (alarm)', '4 job-0 scrap started', '5 job-0 scrap finished'],
  );
});

test('patience: a task that waits longer than its patience reneges; a balk condition turns arrivals away', async () => {
  const { lines, summary } = await trace({
    simId: 'Bank',
    arrival: { each: constant(1) },
    service: { five: constant(5) },
    resources: { teller: { currentCap: 1, maxCap: 1 } },
    flows: [{ name: 'customers', arrival: 'each', entity: 'c', limit: 4, start: 'serve' }],
    tasks: { serve: { service: 'five', resource: 'teller', patience: '3 s', balk: 'queue.teller >= 2' } },
    run: { until: 30 },
  });
  assert.deepEqual(lines, [
    '1 c-0 serve queued',
    '1 c-0 serve started',
    '2 c-1 serve queued',
    '3 c-2 serve queued',
    '4 c-3 serve balked', // two are waiting
    '5 c-1 serve reneged', // waited 3
    '6 c-0 serve finished',
    // c-2's patience runs out at 6 too, but c-0's service ended first (it was scheduled first), as in SimPy
    '6 c-2 serve started',
    '11 c-2 serve finished',
  ]);
  assert.equal(summary.statuses.reneged, 1);
  assert.equal(summary.statuses.balked, 1);
});

test('failures: a fail condition fails the task, its signal fires with ok false, onFail routes the entity', async () => {
  const { lines, summary } = await trace({
    simId: 'QA',
    arrival: { each: constant(1) },
    service: { one: constant(1) },
    signals: { rejected: {} },
    flows: [
      { name: 'parts', arrival: 'each', entity: 'part', limit: 2, start: 'test', attributes: { w: { expr: 't' } } },
    ],
    tasks: {
      test: { service: 'one', fail: 'attr.w == 2', failReason: 'too heavy', signal: 'rejected', onFail: 'repair' },
      repair: { service: 'one' },
    },
    run: { until: 10 },
  });
  assert.deepEqual(
    lines.filter((l) => l.includes('part-1')),
    [
      '2 part-1 test started',
      '3 part-1 test failed (too heavy)',
      '3 part-1 repair started',
      '4 part-1 repair finished',
    ],
  );
  assert.equal(summary.statuses.failed, 1);
  // The signal fires on success (part-0) and on failure (part-1, last): ok false, the reason as its value.
  const rejected = summary.model.signals.get('rejected')!;
  assert.deepEqual([rejected.count, rejected.ok, rejected.value], [2, false, 'too heavy']);
});

test('waits: a signal (fired once, by a task, after a delay), a timeout, a condition, and any/all/at-least groups', async () => {
  const { lines, values } = await trace({
    simId: 'Plant',
    arrival: { start: constant(1) },
    service: { two: constant(2) },
    containers: { tank: { currentCap: 10, maxCap: 10, init: 0 } },
    signals: { opened: { once: true }, shift: {} },
    flows: [
      { name: 'gate', arrival: 'start', entity: 'gate', limit: 1, start: 'open' },
      { name: 'waiters', arrival: 'start', entity: 'w', limit: 1, start: 'fork' },
    ],
    tasks: {
      // At 1: opens (fires `opened`, once) after 2, fills the tank by 4 twice, and fires `shift` 5 later.
      open: {
        service: 'two',
        signal: 'opened',
        put: { container: 'tank', amount: 4 },
        next: 'fill',
        on: [{ fire: { signal: 'shift', after: 5 } }],
      },
      fill: { service: 'two', put: { container: 'tank', amount: 4 } },
      fork: { spawn: { task: 'late' }, next: 'either' },
      // A wait on a once signal fired before it began returns at once.
      late: { wait: { timeout: 4 }, next: 'afterOpen' },
      afterOpen: { wait: { signal: 'opened' } },
      // any: the signal (at 3) beats the 10 s timeout
      either: { wait: { any: { open: { signal: 'opened' }, slow: { timeout: 10 } } }, next: 'both' },
      // all: the tank at 8 (at 5) and a 1 s timeout (at 4)
      both: { wait: { all: { full: { condition: 'level.tank >= 8' }, tick: { timeout: 1 } } }, next: 'two' },
      // at least 2 of 3: the shift signal (at 8), a 20 s timeout, a 3 s timeout (at 8 too)
      two: { wait: { atLeast: 2, of: { shift: { signal: 'shift' }, long: { timeout: 20 }, short: { timeout: 3 } } } },
    },
    run: { until: 40 },
  });
  const at = (task: string) => lines.filter((l) => l.includes(` ${task} finished`)).map((l) => Number(l.split(' ')[0]));
  assert.deepEqual(at('open'), [3]);
  assert.deepEqual(at('fill'), [5]);
  assert.deepEqual(at('either'), [3]);
  assert.deepEqual(at('both'), [5]);
  assert.deepEqual(at('two'), [8]);
  assert.deepEqual(at('late'), [5]);
  assert.deepEqual(at('afterOpen'), [5]);
  assert.ok(values.some((v) => v.task === 'two' && v.status === 'finished'));
});

test('an urgent fire resumes its waiters ahead of the events already due at that time; a plain one after them', async () => {
  const spec = (urgent: boolean): ModelSpec => ({
    simId: 'Gate',
    arrival: { at05: constant(0.5), at1: constant(1), at2: constant(2) },
    service: { four: constant(4), three: constant(3) },
    signals: { go: {} },
    flows: [
      { name: 'x', arrival: 'at05', entity: 'x', limit: 1, start: 'wait' },
      { name: 'y', arrival: 'at1', entity: 'y', limit: 1, start: 'signal' },
      { name: 'z', arrival: 'at2', entity: 'z', limit: 1, start: 'work' },
    ],
    tasks: {
      wait: { wait: { signal: 'go' } },
      // y's service ends at 5, before z's (both due at 5; y's was scheduled first)
      signal: { service: 'four', on: [{ fire: { signal: 'go', urgent } }] },
      work: { service: 'three' },
    },
    run: { until: 10 },
  });
  const finishes = (lines: string[]) => lines.filter((l) => l.endsWith('finished')).map((l) => l.split(' ')[1]);
  assert.deepEqual(finishes((await trace(spec(false))).lines), ['y-0', 'z-0', 'x-0']);
  assert.deepEqual(finishes((await trace(spec(true))).lines), ['y-0', 'x-0', 'z-0']);
});

test('wait.<branch>.done, .value and process.name read how a wait ended: route on the branch that happened', async () => {
  const spec: ModelSpec = {
    simId: 'Post',
    arrival: { every10: constant(10), at3: constant(3) },
    service: { one: constant(1) },
    signals: { ready: {} },
    flows: [
      { name: 'collect', arrival: 'every10', entity: 'c', limit: 2, start: 'collect' },
      { name: 'sorter', arrival: 'at3', entity: 's', limit: 1, start: 'sort' },
    ],
    tasks: {
      // c-0 waits from 10: the parcel is ready at 13. c-1 waits from 20: nothing comes, it gives up at 25.
      collect: {
        wait: { any: { parcel: { signal: 'ready' }, late: { timeout: 5 } } },
        set: { who: { expr: 'process.name' }, n: { expr: 'wait.parcel.value.n if wait.parcel.done else 0' } },
        next: { when: [{ condition: 'wait.parcel.done and not wait.late.done', task: 'ship' }], default: 'cancel' },
      },
      sort: { service: 'one', next: 'announce' },
      announce: { wait: { timeout: 9 }, on: [{ fire: { signal: 'ready', value: { n: 7 } } }] },
      ship: { service: 'one', attributes: ['who', 'n'] },
      cancel: { attributes: ['who', 'n'] },
    },
    run: { until: 60 },
  };
  const { values, lines } = await trace(spec);
  assert.ok(lines.includes('13 c-0 collect finished'));
  assert.ok(lines.includes('25 c-1 collect finished'));
  const ends = values.filter((v) => v.task === 'ship' || v.task === 'cancel').filter((v) => v.status === 'finished');
  assert.deepEqual(
    ends.map((v) => [v.task, v.who, v.n]),
    [
      ['ship', 'collect', 7],
      ['cancel', 'collect', 0],
    ],
  );
  const bad = structuredClone(spec);
  bad.tasks!.collect!.next = { when: [{ condition: 'wait.parcels.done', task: 'ship' }] };
  await assert.rejects(runModel(bad), /"parcels" is not a branch of this task's wait; expected one of: parcel, late/);
});

test("fire from: a signal fires with the outcome copied from a signal or from the entity's last instance of a task", async () => {
  const { summary } = await trace({
    simId: 'QA',
    arrival: { each: constant(1) },
    service: { one: constant(1) },
    signals: { tested: {}, relay: {}, verdict: {}, early: {} },
    flows: [
      { name: 'parts', arrival: 'each', entity: 'part', limit: 2, start: 'test', attributes: { w: { expr: 't' } } },
    ],
    tasks: {
      // Part 0 passes (payload { grade: 'A' }), part 1 fails (too heavy); each relays the signal and its own outcome.
      test: {
        service: 'one',
        payload: { grade: 'A' },
        fail: 'attr.w == 2',
        failReason: 'too heavy',
        signal: 'tested',
        onFail: 'report',
        next: 'report',
      },
      report: {
        on: [
          { fire: { signal: 'relay', from: 'tested' } },
          { fire: { signal: 'verdict', from: 'test' } },
          // Nothing to copy: this entity never ran `pack`, so `early` never fires.
          { fire: { signal: 'early', from: 'pack' } },
        ],
      },
      pack: { service: 'one' },
    },
    run: { until: 10 },
  });
  const s = (name: string) => {
    const signal = summary.model.signals.get(name)!;
    return [signal.count, signal.ok, signal.value];
  };
  assert.deepEqual(s('relay'), [2, false, 'too heavy']);
  assert.deepEqual(s('verdict'), [2, false, 'too heavy']);
  assert.deepEqual(s('early'), [0, true, null]);
});

test('fire from must name a signal or a task, and cannot come with a value', async () => {
  const spec = (fire: Record<string, unknown>) =>
    ({
      simId: 'QA',
      arrival: { each: constant(1) },
      service: { one: constant(1) },
      signals: { relay: {} },
      flows: [{ name: 'parts', arrival: 'each', start: 'test' }],
      tasks: { test: { service: 'one', on: [{ fire: { signal: 'relay', ...fire } }] } },
      run: { until: 10 },
    }) as unknown as ModelSpec;
  await assert.rejects(runModel(spec({ from: 'nowhere' })), {
    code: 'TS_SIM_BAD_MODEL',
    message:
      /"nowhere" is not a signal or a task of this model; expected one of: relay, test\n {2}→ at tasks\.test\.on\[0\]\.fire\.from/,
  });
  await assert.rejects(runModel(spec({ from: 'test', value: 1 })), {
    code: 'TS_SIM_BAD_MODEL',
    message: /expected a value or from/,
  });
});

test('wait branches on a resource unit, a get and a put: the winner holds or takes, the losers are withdrawn', async () => {
  const once = (at: number) => ({ dist: 'replay' as const, times: [at] });
  const { lines, values } = await trace({
    simId: 'Yard',
    arrival: { a: once(1), b: once(2), c: once(3), d: once(4), e: once(5), f: once(8) },
    service: { one: constant(1), four: constant(4), ten: constant(10) },
    resources: { bay: { currentCap: 1, maxCap: 1 } },
    stores: { spares: { currentCap: 1, maxCap: 1 } },
    flows: [
      { name: 'a', arrival: 'a', start: 'hold' },
      { name: 'b', arrival: 'b', start: 'impatient' },
      { name: 'c', arrival: 'c', start: 'grab' },
      { name: 'd', arrival: 'd', start: 'use' },
      { name: 'e', arrival: 'e', start: 'fetch' },
      { name: 'f', arrival: 'f', start: 'supply' },
    ],
    tasks: {
      hold: { service: 'ten', resource: 'bay' },
      // Its request loses to the timeout at 5 and is withdrawn: it would have had the bay at 11.
      impatient: { wait: { any: { bay: { request: 'bay' }, late: { timeout: 3 } } }, service: 'one' },
      // Wins the bay at 11 and holds it through its service, to 15.
      grab: { wait: { request: 'bay' }, service: 'four' },
      use: { resource: 'bay', service: 'one' },
      // The get wins at 8 (the item is the branch's value); the 20 s timeout loses.
      fetch: {
        wait: { any: { part: { get: { store: 'spares' } }, giveUp: { timeout: 20 } } },
        set: { sku: { expr: 'wait.part.value.sku' } },
        next: 'report',
      },
      report: { attributes: ['sku'] },
      // A put branch: the spares store takes what supply hands on.
      supply: { payload: { sku: 'x-1' }, next: 'stock' },
      stock: { wait: { put: { store: 'spares' } } },
    },
    run: { until: 40 },
  });
  const at = (task: string, status: string) =>
    lines.filter((l) => l.includes(` ${task} ${status}`)).map((l) => Number(l.split(' ')[0]));
  assert.deepEqual(at('impatient', 'started'), [5]);
  assert.deepEqual([at('grab', 'started'), at('grab', 'finished')], [[11], [15]]);
  assert.deepEqual([at('use', 'started'), at('use', 'finished')], [[15], [16]]);
  assert.deepEqual(at('stock', 'finished'), [8]);
  assert.deepEqual(at('fetch', 'finished'), [8]);
  assert.deepEqual(
    values.filter((v) => v.task === 'report').map((v) => v.sku),
    ['x-1'],
  );
});

test('subscribe: a signal or a child flow interrupts the running task; once the task has ended, nothing happens', async () => {
  const once = (at: number) => ({ dist: 'replay' as const, times: [at] });
  const { lines } = await trace({
    simId: 'Site',
    // One replay per flow: a replay's times are read once, by the flow that draws from it.
    arrival: { w: once(1), x: once(1), y: once(1), five: once(5) },
    service: { one: constant(1), three: constant(3), ten: constant(10) },
    signals: { alarm: {} },
    flows: [
      { name: 'w', arrival: 'w', entity: 'w', start: 'work' },
      { name: 'x', arrival: 'x', entity: 'x', start: 'watch' },
      { name: 'y', arrival: 'y', entity: 'y', start: 'short' },
      { name: 'siren', arrival: 'five', entity: 's', start: 'sound' },
    ],
    tasks: {
      // The alarm at 5 interrupts it: it abandons and evacuates.
      work: { service: 'ten', subscribe: { signal: 'alarm' }, onInterrupt: 'abandon', onInterruptNext: 'evacuate' },
      evacuate: { service: 'one' },
      // Its child flow `check` ends at 4 and interrupts it; it resumes with the 7 it had left, to 11.
      watch: { service: 'ten', subscribe: { task: 'check' } },
      check: { service: 'three' },
      // Ended at 2, before the alarm: the task after it runs undisturbed.
      short: { service: 'one', subscribe: { signal: 'alarm' }, next: 'after' },
      after: { service: 'ten' },
      sound: { signal: 'alarm' },
    },
    run: { until: 40 },
  });
  assert.deepEqual(
    lines.filter((l) => !l.includes(' queued') && !l.startsWith('5 s-0')),
    [
      '1 w-0 work started',
      '1 x-0 watch started',
      '1 x-0 check started',
      '1 y-0 short started',
      '2 y-0 short finished',
      '2 y-0 after started',
      '4 x-0 check finished',
      '4 x-0 watch interrupted ([object Object])',
      '4 x-0 watch resumed',
      '5 w-0 work interrupted ([object Object])',
      '5 w-0 evacuate started',
      '6 w-0 evacuate finished',
      '11 x-0 watch finished',
      '12 y-0 after finished',
    ],
  );
});

test("running: a wait or a subscription on the end of the entity's instances of a task and its spawned entities'", async () => {
  const once = (at: number) => ({ dist: 'replay' as const, times: [at] });
  const { lines } = await trace({
    simId: 'Mixing',
    arrival: { order: once(1), other: once(2), lead: once(3) },
    service: { ten: constant(10), twenty: constant(20) },
    flows: [
      { name: 'o', arrival: 'order', entity: 'order', start: 'split', attributes: { size: 2 } },
      { name: 'x', arrival: 'other', entity: 'other', start: 'mix' },
      { name: 'l', arrival: 'lead', entity: 'lead', start: 'kick' },
    ],
    tasks: {
      // The order spawns a batch at 1 (mixes to 11) and one at 6 (to 16); from 2 it waits for the batches mixing
      // then (their size copied from it): to 11 (the later one had not started; the other entity's is not its own).
      split: { on: [{ spawn: { task: 'mix' } }, { spawn: { task: 'mix', after: 5 } }], next: 'hold' },
      hold: { wait: { timeout: 1 }, next: 'close' },
      close: { wait: { running: { task: 'mix', where: 'attr.size == 2' } } },
      mix: { service: 'ten' },
      // The lead spawns a batch at 3 (to 13) and, inspecting from 4, is called away when it is done.
      kick: { on: [{ spawn: { task: 'mix' } }], next: 'pause' },
      pause: { wait: { timeout: 1 }, next: 'inspect' },
      inspect: {
        service: 'twenty',
        subscribe: { running: { task: 'mix' } },
        onInterrupt: 'abandon',
      },
    },
    run: { until: 40 },
  });
  assert.deepEqual(
    lines.filter((l) => / (close|inspect) /.test(l) && !l.includes(' queued')),
    ['4 lead-0 inspect started', '11 order-0 close finished', '13 lead-0 inspect interrupted ([object Object])'],
  );
  assert.deepEqual(
    lines.filter((l) => l.includes(' mix finished')),
    ['11 mix-0 mix finished', '12 other-0 mix finished', '13 mix-2 mix finished', '16 mix-1 mix finished'],
  );
});

test("entities: keys counted from numberFrom, and a spawned entity starting with its parent's key only", async () => {
  const { values } = await trace({
    simId: 'K',
    arrival: { parts: constant(1) },
    service: { one: constant(1) },
    entities: { numberFrom: 1, spawned: 'parent' },
    flows: [{ name: 'parts', arrival: 'parts', entity: 'parts', limit: 2, start: 'a', attributes: { size: 3 } }],
    tasks: {
      a: { service: 'one', spawn: { task: 'b' }, attributes: ['size'], idField: 'id' },
      b: { service: 'one', attributes: ['parent'], idField: 'id' },
    },
    run: { until: 10 },
  });
  const finished = values.filter((v) => v.status === 'finished').map((v) => [v.task, v.id, v.size ?? v.parent]);
  assert.deepEqual(finished, [
    ['a', 'parts-1', 3],
    ['a', 'parts-2', 3],
    ['b', 'b-1', 'parts-1'],
    ['b', 'b-2', 'parts-2'],
  ]);
});
