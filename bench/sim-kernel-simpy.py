# SimPy on the kernel workload of bench/sim-kernel.ts: 1000 processes looping `yield env.timeout(expo())`.
# usage: python3 bench/sim-kernel-simpy.py <events> <reps> <warmup>  -> one JSON line {variant, n, times, check}
import gc, json, random, sys, time

import simpy

def run(events, processes=1000):
    rnd = random.Random(42)
    expo = rnd.expovariate
    env = simpy.Environment()
    def proc(env):
        while True:
            yield env.timeout(expo(1.0))
    for _ in range(processes):
        env.process(proc(env))
    step = env.step
    for _ in range(processes):
        step()  # the start events
    for _ in range(events):
        step()
    return env.now

events, reps, warmup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
times = []
cpu = []
check = None
for i in range(warmup + reps):
    gc.collect()
    c0 = time.process_time_ns()
    t0 = time.perf_counter_ns()
    check = run(events)
    t1 = time.perf_counter_ns()
    c1 = time.process_time_ns()
    if i >= warmup:
        times.append(t1 - t0)
        cpu.append(c1 - c0)
print(json.dumps({'variant': 'simpy', 'version': simpy.__version__, 'n': events, 'times': times, 'cpu': cpu, 'check': str(check)}))
