import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Block,
  blockRows,
  CompositeModule,
  DecimateFilter,
  type InputPipe,
  LocalPipe,
  MeanFilter,
  type OutputPipe,
  PipeServer,
  RandomReader,
  RemoteInputPipe,
  RemoteOutputPipe,
  runModule,
  spawnModule,
} from '../../../src/pipes/index.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** 2,000 rows of two columns in two intervals, written in blocks of 100. */
async function feed(pipe: OutputPipe): Promise<void> {
  for (let k = 0; k < 20; k++) {
    if (k === 10) await pipe.closeInterval();
    const rows = Array.from({ length: 100 }, (_, i) => {
      const n = k * 100 + i;
      return [1_000_000 * k + n, Math.sin(n / 7), (n * 37) % 11];
    });
    await pipe.write(rows);
  }
  await pipe.close();
}

async function collect(pipe: InputPipe): Promise<{ rows: number[][]; breaks: number[] }> {
  const rows: number[][] = [];
  const breaks: number[] = [];
  for (;;) {
    let b: Block;
    try {
      b = await pipe.read();
    } catch {
      return { rows, breaks };
    }
    rows.push(...blockRows(b));
    if (pipe.endOfInterval) breaks.push(rows.length);
    pipe.consume(b.timestamps.length);
  }
}

describe('modules', () => {
  test('a filter gives the same output in-process, in a child process, over TCP and over WebSocket', async () => {
    const args = { window: '5' };
    // in-process
    const inA = new LocalPipe({ layout: 'float64_2' });
    const outA = new LocalPipe({ layout: 'float64_2' });
    const runA = runModule(new MeanFilter(), { inputs: { in: inA }, outputs: { out: outA }, args });
    const [, , a] = await Promise.all([feed(inA), runA, collect(outA)]);
    assert.equal(a.rows.length, 2 * (1000 - 4));
    assert.deepEqual(a.breaks, [996]);

    // in a child process
    const inB = new LocalPipe({ layout: 'float64_2' });
    const outB = new LocalPipe({ layout: 'float64_2' });
    const child = await spawnModule(fixture('mean-filter.ts'), { inputs: { in: inB }, outputs: { out: outB }, args });
    const [, , b] = await Promise.all([feed(inB), child.done, collect(outB)]);
    assert.deepEqual(b, a);

    // against remote pipes, in this process, over TCP and over WebSocket
    for (const transport of ['tcp', 'websocket'] as const) {
      const inC = new LocalPipe({ layout: 'float64_2', name: 'in' });
      const outC = new LocalPipe({ layout: 'float64_2', name: 'out' });
      const server = new PipeServer({ pipes: { in: inC, out: outC }, transport });
      const { port } = await server.start();
      const rin = new RemoteInputPipe({ port, stream: 'in', layout: 'float64_2', transport });
      const rout = new RemoteOutputPipe({ port, stream: 'out', layout: 'float64_2', transport });
      await rin.connect();
      await rout.connect();
      const runC = runModule(new MeanFilter(), { inputs: { in: rin }, outputs: { out: rout }, args });
      const [, , c] = await Promise.all([feed(inC), runC, collect(outC)]);
      assert.deepEqual(c, a, transport);
      await rin.close();
      await server.close();
    }
  });

  test('a module that throws in a child process fails its run with the error', async () => {
    const child = await spawnModule(fixture('failing.ts'), {
      outputs: { out: new LocalPipe({ layout: 'float32_1' }) },
    });
    await assert.rejects(
      child.done,
      (e: any) => e.code === 'TS_MODULE_FAILED' && /calibration table missing/.test(e.message),
    );
  });

  test('a composite wires modules with local pipes: mean then decimate', async () => {
    class MeanThenDecimate extends CompositeModule {
      setup(inputs: Record<string, InputPipe>, outputs: Record<string, OutputPipe>) {
        const mid = new LocalPipe({ layout: 'float64_1' });
        return [
          runModule(new MeanFilter(), { inputs: { in: inputs.in! }, outputs: { out: mid }, args: { window: '2' } }),
          runModule(new DecimateFilter(), {
            inputs: { in: mid },
            outputs: { out: outputs.out! },
            args: { factor: '2' },
          }),
        ];
      }
    }
    const input = new LocalPipe({ layout: 'float64_1' });
    const out = new LocalPipe({ layout: 'float64_3' });
    const run = runModule(new MeanThenDecimate(), { inputs: { in: input }, outputs: { out } });
    await input.write([
      [1, 0],
      [2, 2],
      [3, 4],
      [4, 10],
      [5, 0],
    ]);
    await input.close();
    await run;
    // means of pairs: 1, 3, 7, 5 at 2, 3, 4, 5; decimated by 2: (mean, min, max) of (1, 3) and (7, 5)
    assert.deepEqual(blockRows(await out.read()), [
      [2, 2, 1, 3],
      [4, 6, 5, 7],
    ]);
  });

  test('bad arguments are refused naming the argument', async () => {
    const input = new LocalPipe({ layout: 'float64_1' });
    const out = new LocalPipe({ layout: 'float64_1' });
    await assert.rejects(
      runModule(new MeanFilter(), { inputs: { in: input }, outputs: { out }, args: { window: 'x' } }),
      /window = "x" is not valid; expected an integer >= 1/,
    );
    assert.equal(out.closed, true);
  });
});

test('RandomReader: the same seed gives the same rows', async () => {
  const a = new LocalPipe({ layout: 'float64_3' });
  const b = new LocalPipe({ layout: 'float64_3' });
  await runModule(new RandomReader(), { outputs: { out: a }, args: { rows: '250', block: '64', seed: '9' } });
  await runModule(new RandomReader(), { outputs: { out: b }, args: { rows: '250', block: '100', seed: '9' } });
  const ra = blockRows(await a.readAll());
  assert.equal(ra.length, 250);
  assert.deepEqual(blockRows(await b.readAll()), ra);
  assert.equal(ra[249]![0], 249_000);
});
