// SimPy's classic car wash: a wash with 2 machines, cars arriving every 5–9 minutes (4 at the start), each wash
// taking 5 minutes and removing a random share of the dirt. Seeded, so the output is always the same.
//   npm run example -- sim-carwash
import { Environment, Resource, Sampler } from '../src/sim/index.ts';

const MACHINES = 2;
const WASH_TIME = 5;
const SIM_TIME = 20;
const sampler = new Sampler({ seed: 42 });

const env = new Environment();
const machine = new Resource(env, { capacity: MACHINES, name: 'carwash' });

function* wash(car: string) {
  yield env.timeout(WASH_TIME);
  const removed = sampler.sample({ dist: 'empirical', values: [50, 60, 70, 80, 90] });
  console.log(`Carwash removed ${removed}% of ${car}'s dirt.`);
}

function* car(name: string) {
  console.log(`${name} arrives at the carwash at ${env.now.toFixed(2)}.`);
  const req = machine.request();
  yield req;
  console.log(`${name} enters the carwash at ${env.now.toFixed(2)}.`);
  yield env.process(wash(name));
  console.log(`${name} leaves the carwash at ${env.now.toFixed(2)}.`);
  machine.release(req);
}

function* setup() {
  let i = 0;
  for (; i < 4; i++) env.process(car(`Car ${i}`));
  for (;;) {
    yield env.timeout(sampler.sample({ dist: 'uniform', low: 5, high: 9 }));
    env.process(car(`Car ${i++}`));
  }
}

console.log('Carwash');
env.process(setup());
env.run({ until: SIM_TIME });
