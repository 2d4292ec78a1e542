// SimPy's classic bank with reneging: customers arrive at random, wait for the one counter, and leave when their
// patience (1–3 minutes) runs out first. `anyOf` races the request against the patience timeout.
//   npm run example -- sim-bank
import { type ConditionValue, Environment, Resource, Sampler } from '../src/sim/index.ts';

const CUSTOMERS = 5;
const INTERVAL = 10;
const sampler = new Sampler({ seed: 42 });
const env = new Environment();
const counter = new Resource(env, { capacity: 1, name: 'counter' });

const at = () => env.now.toFixed(4).padStart(9);

function* customer(name: string, timeInBank: number) {
  const arrive = env.now;
  console.log(`${at()} ${name}: Here I am`);
  const req = counter.request();
  const patience = sampler.sample({ dist: 'uniform', low: 1, high: 3 });
  const result: ConditionValue = yield env.anyOf([req, env.timeout(patience)]);
  const wait = env.now - arrive;
  if (result.has(req)) {
    console.log(`${at()} ${name}: Waited ${wait.toFixed(3)}`);
    yield env.timeout(sampler.sample({ dist: 'exponential', rate: 1 / timeInBank }));
    console.log(`${at()} ${name}: Finished`);
    counter.release(req);
  } else {
    counter.release(req); // withdraws the queued request
    console.log(`${at()} ${name}: RENEGED after ${wait.toFixed(3)}`);
  }
}

function* source() {
  for (let i = 0; i < CUSTOMERS; i++) {
    env.process(customer(`Customer${String(i).padStart(2, '0')}`, 12));
    yield env.timeout(sampler.sample({ dist: 'exponential', rate: 1 / INTERVAL }));
  }
}

console.log('Bank renege');
env.process(source());
env.run();
