# Joule's LocalPipe on the pipes benchmark's workload: write -> read -> consume of float64_8 blocks of ROWS rows,
# BLOCKS times, timed with CPU time. Prints one JSON line per repetition. With --numpy (or when joule cannot be
# imported) it runs a NumPy loop doing what Joule's LocalPipe does instead (a queue of structured arrays, a read that
# concatenates the unconsumed rows with the queue into a new array, consume by slicing), and says so.
import asyncio
import json
import sys
import time

import numpy as np

blocks, rows, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
numpy_only = '--numpy' in sys.argv
try:
    if numpy_only:
        raise ImportError('--numpy asked')
    from joule.models.pipes import LocalPipe  # type: ignore
    from importlib.metadata import version

    peer = f"joule {version('joule')} LocalPipe"
except ImportError as e:
    LocalPipe = None
    peer = f'NumPy loop equivalent to Joule LocalPipe (joule not importable: {e})'

dtype = np.dtype([('timestamp', '<i8'), ('data', '<f8', (8,))])


class NumpyPipe:
    def __init__(self):
        self.queue = []
        self.queued = 0
        self.buffer = np.empty((0,), dtype)

    async def write(self, matrix):
        s = np.empty(len(matrix), dtype)
        s['timestamp'] = matrix[:, 0]
        s['data'] = matrix[:, 1:]
        self.queue.append(s)
        self.queued += len(s)
        await asyncio.sleep(0)

    async def read(self):
        out = np.empty(self.queued + len(self.buffer), dtype)
        out[: len(self.buffer)] = self.buffer
        at = len(self.buffer)
        for b in self.queue:
            out[at : at + len(b)] = b
            at += len(b)
        self.queue.clear()
        self.queued = 0
        self.buffer = out
        return out

    def consume(self, n):
        self.buffer = self.buffer[n:]


async def once():
    pipe = LocalPipe('float64_8') if LocalPipe else NumpyPipe()
    matrix = np.random.default_rng(1).random((rows, 9))
    base = np.arange(rows, dtype=np.float64)
    checksum = 0.0
    t0 = time.process_time()
    for k in range(blocks):
        matrix[:, 0] = base + k * rows
        await pipe.write(matrix)
        block = await pipe.read()
        checksum += block['data'][-1, 7]
        pipe.consume(len(block))
    return time.process_time() - t0, checksum


for _ in range(reps):
    seconds, checksum = asyncio.run(once())
    print(json.dumps({'peer': peer, 'seconds': seconds, 'values': blocks * rows * 8, 'checksum': checksum}))
