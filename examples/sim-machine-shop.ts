// SimPy's classic machine shop: 10 machines make parts and break down at random; one repairman fixes them, and
// leaves his less important other jobs when a machine breaks (a PreemptiveResource). Machines are interrupted by
// their breakdowns. Prints the parts each machine made in four weeks.
//   npm run example -- sim-machine-shop
import { Environment, Interrupt, Preempted, PreemptiveResource, type Process, Sampler } from '../src/sim/index.ts';

const PT_MEAN = 10; // minutes per part
const PT_SIGMA = 2;
const MTTF = 300; // mean time to failure, minutes
const REPAIR_TIME = 30;
const JOB_DURATION = 30; // the repairman's other jobs
const MACHINES = 10;
const WEEKS = 4;
const SIM_TIME = WEEKS * 7 * 24 * 60;

const sampler = new Sampler({ seed: 42 });
const env = new Environment();
const repairman = new PreemptiveResource(env, { capacity: 1, name: 'repairman' });
let otherJobsDone = 0;
let otherJobsPreempted = 0;

class Machine {
  readonly name: string;
  partsMade = 0;
  broken = false;
  readonly process: Process<void>;

  constructor(name: string) {
    this.name = name;
    this.process = env.process(this.working(), name);
    env.process(this.breakMachine(), `${name} breakdowns`);
  }

  *working() {
    for (;;) {
      let left = Math.max(0, sampler.sample({ dist: 'normal', mean: PT_MEAN, std: PT_SIGMA }));
      while (left > 0) {
        const start = env.now;
        try {
          yield env.timeout(left);
          left = 0;
        } catch (e) {
          if (!(e instanceof Interrupt)) throw e;
          this.broken = true;
          left -= env.now - start;
          const req = repairman.request({ priority: 1 });
          yield req;
          yield env.timeout(REPAIR_TIME);
          repairman.release(req);
          this.broken = false;
        }
      }
      this.partsMade++;
    }
  }

  *breakMachine() {
    for (;;) {
      yield env.timeout(sampler.sample({ dist: 'exponential', rate: 1 / MTTF }));
      if (!this.broken) this.process.interrupt('breakdown');
    }
  }
}

function* otherJobs() {
  for (;;) {
    let left = JOB_DURATION;
    while (left > 0) {
      const req = repairman.request({ priority: 2 });
      yield req;
      const start = env.now;
      try {
        yield env.timeout(left);
        left = 0;
      } catch (e) {
        if (!(e instanceof Interrupt && e.cause instanceof Preempted)) throw e;
        otherJobsPreempted++;
        left -= env.now - start;
      }
      repairman.release(req);
    }
    otherJobsDone++;
  }
}

const machines = Array.from({ length: MACHINES }, (_, i) => new Machine(`Machine ${i}`));
env.process(otherJobs(), 'other jobs');
env.run({ until: SIM_TIME });

console.log(`Machine shop results after ${WEEKS} weeks`);
for (const m of machines) console.log(`${m.name} made ${m.partsMade} parts.`);
console.log(
  `The repairman finished ${otherJobsDone} other jobs and was called away from them ${otherJobsPreempted} times.`,
);
