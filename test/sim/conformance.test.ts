// Ports every vector of the shared SimPy traces (conformance/simpy-traces.jsonl): each model below is the vector's
// `inputs.model` written against our API; the trace it logs and the final time must equal SimPy's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TwinstreamError } from '../../src/index.ts';
import {
  Environment,
  type Event,
  FilterStore,
  Interrupt,
  PriorityResource,
  type Process,
  Resource,
  Store,
} from '../../src/sim/index.ts';
import { readVectorFile } from '../support/conformance.ts';
import { pyRepr, pyStr } from './python-format.ts';

type Trace = [number, string][];
interface Outcome {
  trace: Trace;
  finalNow: number;
}

const vectors = readVectorFile('simpy-traces.jsonl')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { id: string; expected: { trace: Trace; final_now: number } });

function tracer(env: Environment): { trace: Trace; log: (m: string) => void } {
  const trace: Trace = [];
  return { trace, log: (m) => trace.push([env.now, m]) };
}

const models: Record<string, () => Outcome> = {
  'simpy-resource-capacity-1-fifo'() {
    const env = new Environment();
    const res = new Resource(env, 1);
    const { trace, log } = tracer(env);
    function* customer(name: string, arrive: number, service: number) {
      yield env.timeout(arrive);
      log(`${name} arrive count=${res.count} queue=${res.queue.length}`);
      const req = res.request();
      yield req;
      log(`${name} acquire count=${res.count} queue=${res.queue.length}`);
      yield env.timeout(service);
      log(`${name} release`);
      res.release(req);
    }
    for (const [n, a, s] of [
      ['A', 0, 3],
      ['B', 1, 3],
      ['C', 1, 2],
      ['D', 2, 1],
    ] as const)
      env.process(customer(n, a, s));
    env.run();
    return { trace, finalNow: env.now };
  },

  'simpy-resource-capacity-2'() {
    const env = new Environment();
    const res = new Resource(env, 2);
    const { trace, log } = tracer(env);
    const counts = () => `count=${res.count} queue=${res.queue.length}`;
    function* customer(name: string, arrive: number, service: number) {
      yield env.timeout(arrive);
      const req = res.request();
      log(`${name} request ${counts()}`);
      yield req;
      log(`${name} acquire ${counts()}`);
      yield env.timeout(service);
      res.release(req);
      log(`${name} release ${counts()}`);
    }
    const customers = [
      ['A', 0, 4],
      ['B', 0, 3],
      ['C', 1, 2],
      ['D', 1, 5],
      ['E', 2, 1],
    ] as const;
    for (const [n, a, s] of customers) env.process(customer(n, a, s));
    env.run();
    return { trace, finalNow: env.now };
  },

  'simpy-priority-resource'() {
    const env = new Environment();
    const res = new PriorityResource(env, 1);
    const { trace, log } = tracer(env);
    function* job(name: string, arrive: number, prio: number, service: number) {
      yield env.timeout(arrive);
      log(`${name} request prio=${prio}`);
      const req = res.request({ priority: prio });
      yield req;
      log(`${name} acquire`);
      yield env.timeout(service);
      res.release(req);
      log(`${name} released`);
    }
    const jobs = [
      ['H', 0, 5, 5],
      ['L3', 1, 3, 1],
      ['P1a', 2, 1, 1],
      ['P2a', 3, 2, 1],
      ['P2b', 3, 2, 1],
      ['P1b', 4, 1, 1],
    ] as const;
    for (const [n, a, p, s] of jobs) env.process(job(n, a, p, s));
    env.run();
    return { trace, finalNow: env.now };
  },

  'simpy-store-and-filterstore'() {
    const env = new Environment();
    const store = new Store<string>(env, 2);
    const fstore = new FilterStore<{ id: number; color: string }>(env);
    const { trace, log } = tracer(env);
    const ids = () => pyRepr(fstore.items.map((i) => i.id));
    function* producer() {
      for (const item of ['a', 'b', 'c', 'd']) {
        log(`put ${item} items=${pyRepr(store.items)}`);
        yield store.put(item);
        log(`put ${item} done items=${pyRepr(store.items)}`);
      }
      yield env.timeout(6);
      log('put e');
      yield store.put('e');
      log(`put e done items=${pyRepr(store.items)}`);
    }
    function* consumer() {
      for (const t of [2, 1, 1, 1]) {
        yield env.timeout(t);
        log(`get items=${pyRepr(store.items)}`);
        const item: string = yield store.get();
        log(`got ${item} items=${pyRepr(store.items)}`);
      }
      log('get (empty)');
      const item: string = yield store.get();
      log(`got ${item}`);
    }
    function* fproducer() {
      yield fstore.put({ id: 1, color: 'red' });
      yield fstore.put({ id: 2, color: 'blue' });
      yield fstore.put({ id: 3, color: 'red' });
      yield env.timeout(4);
      log('fproducer put id=4 green');
      yield fstore.put({ id: 4, color: 'green' });
    }
    function* fconsumer(name: string, at: number, color: string) {
      yield env.timeout(at);
      log(`${name} wants ${color}`);
      const item: { id: number } = yield fstore.get((i) => i.color === color);
      log(`${name} got id=${item.id} remaining=${ids()}`);
    }
    env.process(producer());
    env.process(consumer());
    env.process(fproducer());
    env.process(fconsumer('FB', 0, 'blue'));
    env.process(fconsumer('FG', 1, 'green'));
    env.process(fconsumer('FR', 1, 'red'));
    env.process(fconsumer('FR2', 2, 'red'));
    env.run();
    return { trace, finalNow: env.now };
  },

  'simpy-allof-anyof-conditions'() {
    const env = new Environment();
    const { trace, log } = tracer(env);
    const or = (r: { has(e: Event<any>): boolean; get(e: Event<any>): unknown }, e: Event<any>) =>
      r.has(e) ? r.get(e) : '-';
    function* proc(): Generator<Event<any>, void, any> {
      const t1 = env.timeout(2, 'a');
      const t2 = env.timeout(5, 'b');
      let r = yield env.allOf([t1, t2]);
      log(`all_of values=${pyRepr([r.get(t1), r.get(t2)])}`);
      const t3 = env.timeout(3, 'c');
      const t4 = env.timeout(1, 'd');
      r = yield env.anyOf([t3, t4]);
      log(`any_of values=${pyRepr([or(r, t3), or(r, t4)])} t3.triggered=${pyRepr(t3.triggered)}`);
      const t5 = env.timeout(10, 'e');
      r = yield t3.or(t5);
      log(`t3|t5 values=${pyRepr([or(r, t3), or(r, t5)])}`);
      const x = env.timeout(1, 'x');
      const y = env.timeout(2, 'y');
      const z = env.timeout(5, 'z');
      r = yield x.and(y).or(z);
      log(`(x&y)|z values=${pyRepr([r.get(x), r.get(y), or(r, z)])}`);
      r = yield env.allOf([]);
      log(`all_of([]) immediate len=${r.size}`);
      const done = env.timeout(0, 'zero');
      yield env.timeout(1);
      r = yield env.anyOf([done, env.timeout(4)]);
      log(`any_of with already-processed event values=${pyRepr([r.get(done)])}`);
    }
    env.process(proc());
    env.run();
    return { trace, finalNow: env.now };
  },

  'simpy-process-interrupt'() {
    const env = new Environment();
    const { trace, log } = tracer(env);
    function* worker() {
      log('worker start');
      try {
        yield env.timeout(10);
        log('worker finished work');
      } catch (e) {
        if (!(e instanceof Interrupt)) throw e;
        log(`worker interrupted cause=${pyStr(e.cause)}`);
      }
      yield env.timeout(2);
      log('worker after cooldown');
      try {
        yield env.timeout(5);
        log('worker second work done');
      } catch (e) {
        if (!(e instanceof Interrupt)) throw e;
        log(`worker interrupted again cause=${pyStr(e.cause)}`);
      }
      return 'w-done';
    }
    function* boss(w: Process<string>) {
      yield env.timeout(4);
      log('boss interrupts (stop)');
      w.interrupt('stop');
      yield env.timeout(3);
      log('boss interrupts (no cause)');
      w.interrupt();
      const r: string = yield w;
      log(`boss sees worker result ${r}`);
      try {
        w.interrupt('late');
      } catch (e) {
        assert.ok(e instanceof TwinstreamError && e.code === 'TS_SIM_PROCESS_TERMINATED');
        log('boss: interrupting a terminated process raises RuntimeError');
      }
    }
    const w = env.process(worker());
    env.process(boss(w));
    env.run();
    return { trace, finalNow: env.now };
  },

  'simpy-event-succeed-fail'() {
    const env = new Environment();
    const { trace, log } = tracer(env);
    const evOk = env.event<number>();
    const evBad = env.event<number>();
    function* waiter(name: string, ev: Event<number>, at = 0) {
      if (at) yield env.timeout(at);
      log(`${name} waiting triggered=${pyRepr(ev.triggered)} processed=${pyRepr(ev.processed)}`);
      try {
        const v: number = yield ev;
        log(`${name} got ${v}`);
      } catch (e) {
        log(`${name} caught ValueError(${(e as Error).message})`);
      }
    }
    function* trigger() {
      yield env.timeout(5);
      evOk.succeed(42);
      log(
        `trigger: ev_ok.succeed(42) triggered=${pyRepr(evOk.triggered)} processed=${pyRepr(evOk.processed)} ok=${pyRepr(evOk.ok)}`,
      );
      yield env.timeout(2);
      evBad.fail(new Error('boom'));
      log("trigger: ev_bad.fail(ValueError('boom'))");
    }
    function* failingChild(): Generator<Event<any>, never> {
      yield env.timeout(1);
      throw new RangeError('kid');
    }
    function* parent() {
      try {
        yield env.process(failingChild());
      } catch (e) {
        if (e instanceof RangeError && e.message === 'kid') log('parent caught KeyError(kid)');
      }
      return 99;
    }
    env.process(waiter('A', evOk));
    env.process(waiter('B', evOk));
    env.process(waiter('C', evBad));
    env.process(trigger());
    env.process(waiter('D', evOk, 8));
    const p = env.process(parent());
    env.run();
    log(`end: ev_ok.value=${evOk.value} parent.value=${p.value}`);
    return { trace, finalNow: env.now };
  },

  'simpy-run-until-time-and-event'() {
    const env = new Environment();
    const { trace, log } = tracer(env);
    function* clock(name: string, tick: number) {
      for (;;) {
        log(`${name} tick`);
        yield env.timeout(tick);
      }
    }
    function* finisher() {
      yield env.timeout(2);
      log('finisher returns fin');
      return 'fin';
    }
    env.process(clock('fast', 1));
    env.process(clock('slow', 2.5));
    let r = env.run({ until: 5 });
    log(`run(until=5) returned ${pyRepr(r)}`);
    const p = env.process(finisher());
    r = env.run({ until: p });
    log(`run(until=process) returned ${pyRepr(r)}`);
    r = env.run({ until: env.timeout(1.5, 'tv') });
    log(`run(until=timeout(1.5,'tv')) returned ${pyRepr(r)}`);
    r = env.run({ until: p });
    log(`run(until=already-processed process) returned ${pyRepr(r)}`);
    assert.throws(() => env.run({ until: 3 }), { code: 'TS_SIM_BAD_UNTIL' });
    log('run(until=3 <= now) raises ValueError');
    env.run({ until: 10 });
    log('run(until=10) done');
    return { trace, finalNow: env.now };
  },
};

for (const v of vectors) {
  test(`SimPy trace ${v.id}`, () => {
    const model = models[v.id];
    assert.ok(model, `no model ported for vector ${v.id}`);
    const { trace, finalNow } = model();
    assert.deepEqual(trace, v.expected.trace);
    assert.equal(finalNow, v.expected.final_now);
  });
}

test('every SimPy vector in the shared file has a ported model, and no model lacks a vector', () => {
  assert.ok(vectors.length >= 8);
  assert.deepEqual(Object.keys(models).sort(), vectors.map((v) => v.id).sort());
});
