# streamz (Python) on workload (a), for the record: map(x+1) -> filter(even) -> accumulate(sum).
import json, sys, time
from streamz import Stream

n, reps = int(sys.argv[1]), int(sys.argv[2])
times, check = [], None
for _ in range(reps + 1):
    source = Stream()
    out = []
    source.map(lambda x: x + 1).filter(lambda x: x % 2 == 0).accumulate(lambda s, x: s + x, start=0).sink(out.append)
    t0 = time.perf_counter_ns()
    for i in range(n):
        source.emit(i)
    times.append(time.perf_counter_ns() - t0)
    check = out[-1]
print(json.dumps({"variant": "streamz-python", "n": n, "times": times[1:], "check": str(check)}))
