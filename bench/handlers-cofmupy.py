# CoFmuPy's own CSV data stream handler on the same file as bench/handlers.ts: load time, then get_data(t) for the
# 8 variables at increasing and at random times. Prints one JSON line. Run by bench/handlers.ts with the venv it
# makes (bench/.venv, `pip install cofmupy`).
#   python handlers-cofmupy.py <csv> <interpolation> <queries> <reps>
import json
import random
import sys
import time

from importlib.metadata import version
from cofmupy.data_stream_handler.csv_data_stream_handler import CsvDataStreamHandler

path, method, queries, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
COLUMNS = [f"v{i}" for i in range(8)]

t0 = time.process_time()
h = CsvDataStreamHandler(path, interpolation=method)
load = time.process_time() - t0
for c in COLUMNS:
    h.add_variable(("model", c), c)
span = float(h.data["t"].iloc[-1])
rng = random.Random(7)


def run(times):
    check = 0.0
    start = time.process_time()
    for t in times:
        check += h.get_data(t)[("model", "v3")]
    return time.process_time() - start, check


increasing = [span * (i + 0.5) / queries for i in range(queries)]
randoms = [rng.random() * span for _ in range(queries)]
run(increasing[:3])  # warm-up
inc = [run(increasing) for _ in range(reps)]
rnd = [run(randoms) for _ in range(reps)]
print(json.dumps({
    "version": version("cofmupy"),
    "load_s": load,
    "queries": queries,
    "increasing_s": [r[0] for r in inc],
    "random_s": [r[0] for r in rnd],
    "check_increasing": inc[0][1],
}))
