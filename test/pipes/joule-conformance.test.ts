// Joule's own pipe behaviours (test/conformance/joule-pipes.jsonl), run against our pipes. Where ours differs on
// purpose the step is rewritten here and the reason is given: our pipes refuse non-increasing timestamps (Joule
// does not check), carry interval breaks out of band, accept rows given as arrays, and run close callbacks
// synchronously.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TwinstreamError } from '../../src/errors.ts';
import {
  type Block,
  type BlockInput,
  blockRows,
  checkTimestamps,
  type FlatBlock,
  type InputPipe,
  LocalPipe,
  type OutputPipe,
  parseLayout,
} from '../../src/pipes/index.ts';
import { loadVectors, type Vector } from '../support/conformance.ts';

const vectors = loadVectors('joule-pipes.jsonl');
const vector = (id: string): Vector => {
  const v = vectors.get(id);
  assert.ok(v, `vector ${id} is in the file`);
  return v;
};

// Joule's exception classes and the codes of ours.
const CODES: Record<string, string[]> = {
  EmptyPipeError: ['TS_PIPE_EMPTY'],
  PipeError: ['TS_PIPE_EMPTY', 'TS_PIPE_BAD_BLOCK', 'TS_PIPE_CLOSED', 'TS_PIPE_NOWAIT', 'TS_PIPE_TIMESTAMPS'],
};

/** An OutputPipe a user wrote (not a LocalPipe): it can only be written asynchronously. */
class ListPipe implements OutputPipe {
  readonly name: string;
  readonly layout = parseLayout('float32_3');
  readonly rows: number[][] = [];
  closed = false;
  constructor(name: string) {
    this.name = name;
  }
  async write(block: BlockInput): Promise<void> {
    this.rows.push(...blockRows(block as Block));
  }
  closeInterval(): void {}
  enableCache(): void {}
  flushCache(): void {}
  subscribe(): () => void {
    return () => {};
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function raw(kind: string, layoutName: string, rows?: number[][]): unknown {
  const layout = parseLayout(layoutName);
  switch (kind) {
    case 'ndarray_empty_2d':
      return { timestamps: new Float64Array(0), data: new layout.DataArray(0) };
    case 'string':
      return 'bad';
    case 'int':
      return 4;
    case 'none':
      return null;
    case 'list':
      return [1, 2, 3];
    case 'ndarray_1d_int':
    case 'ndarray_1d_123':
      return new Int16Array([4, 8]);
    case 'ndarray_3d':
      return [[[1, 2, 3, 4, 5]]];
    case 'structured':
    case 'structured_wrong_layout': {
      const r = rows!;
      const w = r[0]!.length - 1;
      const data = new layout.DataArray(r.length * w);
      for (const [i, row] of r.entries()) for (let j = 0; j < w; j++) (data as any)[i * w + j] = row[j + 1];
      return { timestamps: Float64Array.from(r, (row) => row[0]!), data };
    }
  }
  throw new Error(`no raw input ${kind}`);
}

const rowsOf = (b: Block | FlatBlock): number[][] => blockRows(b);

/** Runs the steps of a pipe vector. `patch` rewrites steps where our pipes differ on purpose. */
async function run(v: Vector, patch: (step: any, i: number) => any[] = (s) => [s]) {
  const pipes = new Map<string, LocalPipe | ListPipe>();
  const closes = new Map<string, number>();
  for (const [name, spec] of Object.entries<any>(v.setup.pipes)) {
    if (spec.kind === 'OutputPipe') pipes.set(name, new ListPipe(name));
    else {
      closes.set(name, 0);
      pipes.set(
        name,
        new LocalPipe({
          layout: spec.layout,
          name,
          onClose: spec.close_cb ? () => closes.set(name, closes.get(name)! + 1) : undefined,
        }),
      );
    }
  }
  const tasks = new Map<string, { done: boolean; p: Promise<Block> }>();
  const steps = (v.steps as any[]).flatMap(patch);
  for (const [i, step] of steps.entries()) {
    const at = `${v.id} step ${i} ${JSON.stringify(step)}`;
    const pipe = pipes.get(step.pipe ?? 'pipe') as LocalPipe;
    const act = async (): Promise<unknown> => {
      const input = () =>
        step.raw !== undefined || step.as
          ? raw(step.raw ?? step.as, step.layout ?? pipe.layout.name, step.rows)
          : step.rows;
      switch (step.op) {
        case 'write':
          return pipe.write(input() as BlockInput);
        case 'write_nowait':
          return pipe.writeNowait(input() as BlockInput);
        case 'read':
          return pipe.read({ flatten: step.flatten === true });
        case 'read_nowait':
          return pipe.readNowait({ flatten: step.flatten === true });
        case 'consume':
          return pipe.consume(step.n);
        case 'consume_all':
          return pipe.consumeAll();
        case 'close':
          return pipe.close();
        case 'close_nowait':
          return pipe.closeNowait();
        case 'close_interval':
        case 'close_interval_nowait':
          return pipe.closeInterval();
        case 'enable_cache':
          return pipe.enableCache(step.lines);
        case 'flush_cache':
          return pipe.flushCache();
        case 'is_empty':
          return pipe.isEmpty();
        case 'not_empty':
          return pipe.notEmpty();
        case 'subscribe':
          return pipe.subscribe(pipes.get(step.subscriber) as OutputPipe);
        case 'read_all':
          return pipe.readAll({ maxRows: step.maxrows, flatten: step.flatten === true } as { flatten: true });
        case 'read_start': {
          const t = { done: false, p: pipe.read() };
          t.p.then(() => (t.done = true));
          tasks.set(step.task, t);
          await new Promise((r) => setTimeout(r, step.wait * 1000));
          return t.done;
        }
        case 'read_await':
          return tasks.get(step.task)!.p;
      }
      throw new Error(`${at}: unknown op`);
    };
    if (step.raises !== undefined) {
      await assert.rejects(
        async () => act(),
        (e: TwinstreamError) => CODES[step.raises]!.includes(e.code),
        at,
      );
      continue;
    }
    const out = await act();
    if (step.expect_rows !== undefined) assert.deepEqual(rowsOf(out as Block), step.expect_rows, at);
    if (step.expect !== undefined) assert.equal(out, step.expect, at);
    if (step.expect_done !== undefined) assert.equal(out, step.expect_done, at);
    if (step.expect_end_of_interval !== undefined) assert.equal(pipe.endOfInterval, step.expect_end_of_interval, at);
    if (step.expect_closed !== undefined) {
      for (const [name, c] of Object.entries(step.expect_closed)) assert.equal(pipes.get(name)!.closed, c, at);
    }
  }
  return { pipes, closes };
}

describe('Joule LocalPipe vectors', () => {
  for (const id of [
    'joule.localpipe.unconsumed_data_is_reread',
    'joule.localpipe.partial_consume',
    'joule.localpipe.read_nowait_does_not_block',
    'joule.localpipe.write_wrong_shape_errors',
    'joule.localpipe.read_waits_for_data',
    'joule.localpipe.closed_empty_pipe',
    'joule.localpipe.is_empty_pins_next_read',
    'joule.localpipe.closed_pipe_fully_consumed_raises',
    'joule.localpipe.cache_batches_writes',
    'joule.localpipe.write_nowait_invalid_inputs',
    'joule.pipe.read_all.empty_closed_pipe_errors',
    'joule.pipe.read_all.all_intervals',
    'joule.pipe.read_all.maxrows_within_first_read',
    'joule.pipe.read_all.maxrows_spans_reads',
  ]) {
    test(id, async () => {
      await run(vector(id));
    });
  }

  test('joule.localpipe.write_formats_and_invalid_inputs (a plain list of rows is accepted here)', async () => {
    const { pipes } = await run(vector('joule.localpipe.write_formats_and_invalid_inputs'), (s) =>
      // Joule refuses Python lists; our write takes rows as arrays on purpose (the vector's list2d would
      // add rows, so it is left out here and checked on its own below).
      s.raw === 'list2d' ? [] : [s],
    );
    const pipe = pipes.get('pipe') as LocalPipe;
    pipe.writeNowait([[200, 1, 2]]);
    assert.deepEqual(rowsOf(pipe.readNowait()), [
      [106, -20, -17],
      [107, -13, -10],
      [108, -6, -3],
      [109, 1, 4],
      [200, 1, 2],
    ]);
  });

  test('joule.localpipe.close_interval_flushes_cache (rows after the break must be later: refused otherwise)', async () => {
    await run(vector('joule.localpipe.close_interval_flushes_cache'), (s) => {
      if (s.op === 'read' && s.expect_rows?.[0]?.[0] === 0)
        return [
          {
            ...s,
            expect_rows: [
              [5, 1, 1],
              [6, 1, 1],
              [7, 1, 1],
            ],
          },
        ];
      if (s.op !== 'write' || s.rows[0][0] !== 0) return [s];
      // Joule writes timestamps 0, 0, 0 after 4; ours refuses that block whole, then takes later timestamps.
      return [
        { ...s, raises: 'PipeError' },
        {
          op: 'write',
          rows: [
            [5, 1, 1],
            [6, 1, 1],
            [7, 1, 1],
          ],
        },
      ];
    });
  });

  test('joule.localpipe.nowait_restrictions (close callbacks run synchronously here)', async () => {
    const { pipes, closes } = await run(vector('joule.localpipe.nowait_restrictions'), (s) => {
      // Our close callbacks are synchronous, so closeNowait runs them; Joule refuses for its coroutines.
      if (s.op === 'close_nowait' && s.pipe === 'subscriber') return [];
      // Joule repeats timestamp 1; ours needs increasing timestamps.
      if (s.op === 'write_nowait' && s.raises === undefined)
        return [
          {
            ...s,
            rows: [
              [1, 1, 1, 1],
              [2, 1, 1, 1],
              [3, 1, 1, 1],
            ],
          },
        ];
      if (s.op === 'write_nowait') return [{ ...s, rows: [[4, 1, 1, 1]] }];
      return [s];
    });
    (pipes.get('subscriber') as LocalPipe).closeNowait();
    assert.equal(closes.get('subscriber'), 1);
    assert.deepEqual((pipes.get('fd_subscriber') as ListPipe).rows, []);
  });

  test('joule.pipe.subscribe_unsubscribe', async () => {
    const v = vector('joule.pipe.subscribe_unsubscribe');
    const out = new LocalPipe({ layout: v.setup.pipes.out.layout, name: 'out' });
    const sub = new LocalPipe({ layout: v.setup.pipes.subscriber.layout, name: 'subscriber' });
    const input: InputPipe = out;
    // @ts-expect-error an InputPipe has no subscribe: Joule's "cannot subscribe to an input pipe" is a type error here
    assert.equal(typeof input.subscribe, 'function');
    const unsubscribe = out.subscribe(sub);
    assert.deepEqual(
      out.subscribers.map((s) => s.name),
      v.steps[1].expect_subscribers.out,
    );
    unsubscribe();
    assert.deepEqual(
      out.subscribers.map((s) => s.name),
      v.steps[2].expect_subscribers.out,
    );
  });

  test('joule.pipe.base_direction_rules: direction is the type (InputPipe has no write, OutputPipe no read)', async () => {
    const pipe = new LocalPipe({ layout: 'int16_4' });
    const input: InputPipe = pipe;
    const output: OutputPipe = pipe;
    // @ts-expect-error "cannot write to an input pipe"
    input.write;
    // @ts-expect-error "cannot read from an output pipe"
    output.read;
    // @ts-expect-error "cannot consume from an output pipe"
    output.consume;
    const last = vector('joule.pipe.base_direction_rules').steps.at(-1);
    assert.equal(input.endOfInterval, last.expect);
  });

  test('joule.streampipe.output_subscribers_and_close_callbacks, with local pipes', async () => {
    const v = vector('joule.streampipe.output_subscribers_and_close_callbacks');
    const calls = { output: 0, subscriber: 0 };
    const output = new LocalPipe({ layout: 'float32_2', name: 'output', onClose: () => calls.output++ });
    const subscriber = new LocalPipe({ layout: 'float32_2', name: 'subscriber', onClose: () => calls.subscriber++ });
    output.subscribe(subscriber);
    await output.write(v.steps[0].rows);
    assert.deepEqual(rowsOf(await output.read()), v.steps[1].expect_rows);
    await output.close();
    await output.close();
    assert.deepEqual(rowsOf(subscriber.readNowait()), v.steps.at(-1).expect_rows);
    assert.equal(subscriber.closed, v.expected.subscriber_closed);
    assert.equal(calls.output, v.expected.close_cb_calls.output);
    assert.equal(calls.subscriber, v.expected.close_cb_calls.subscriber);
  });

  test('joule.streampipe.interval_token: a break is out of band, so an all-zero row at timestamp 0 is data', async () => {
    const v = vector('joule.streampipe.interval_token');
    assert.deepEqual(v.interval_token_row, [[0, 0, 0]]);
    const pipe = new LocalPipe({ layout: 'float32_2' });
    await pipe.closeInterval(); // nothing written yet: no break, as Joule
    await pipe.write([[0, 0, 0]]);
    await pipe.write([
      [10, 1, 2],
      [11, 1.5, 2.5],
    ]);
    await pipe.closeInterval();
    await pipe.write([[20, 1, 2]]);
    await pipe.close();
    assert.deepEqual(rowsOf(await pipe.read()), [
      [0, 0, 0],
      [10, 1, 2],
      [11, 1.5, 2.5],
    ]);
    assert.equal(pipe.endOfInterval, true);
    pipe.consumeAll();
    assert.deepEqual(rowsOf(await pipe.read()), [[20, 1, 2]]);
    assert.equal(pipe.endOfInterval, false);
    pipe.consumeAll();
    await assert.rejects(pipe.read(), { code: 'TS_PIPE_EMPTY' });
  });
});

describe('Joule layouts', () => {
  test('joule.layout.valid', () => {
    for (const c of vector('joule.layout.valid').cases) {
      const l = parseLayout(c.layout);
      assert.equal(l.dtype, c.data, c.layout);
      assert.equal(l.width, c.width, c.layout);
      assert.equal(l.rowBytes, c.row_bytes, c.layout);
    }
  });

  test('joule.layout.invalid_and_lenient: invalid ones are refused, and so are the ones Joule rounds down', () => {
    const v = vector('joule.layout.invalid_and_lenient');
    for (const c of [...v.cases, ...v.lenient_cases_accepted]) {
      assert.throws(
        () => parseLayout(c.layout),
        (e: TwinstreamError) => e.code === 'TS_BAD_LAYOUT' && e.message.includes(JSON.stringify(c.layout)),
        c.layout,
      );
    }
  });
});

describe('Joule timestamp validation', () => {
  for (const id of ['joule.validators.monotonic_within_block', 'joule.validators.monotonic_across_writes']) {
    test(id, () => {
      for (const c of vector(id).cases) {
        const ts = Float64Array.from(c.timestamps as number[]);
        const run = () => checkTimestamps(ts, c.last_ts ?? Number.NEGATIVE_INFINITY, 'stream [s]');
        if (c.valid) {
          run();
          continue;
        }
        // Joule's message names the pair "(later<=earlier)"; ours names the row and both timestamps.
        const [, later, earlier] = /\((-?\d+)<=(-?\d+)\)/.exec(c.message)!;
        assert.throws(run, (e: TwinstreamError) => {
          assert.equal(e.code, 'TS_PIPE_TIMESTAMPS');
          assert.match(e.message, new RegExp(`timestamp ${later} is not greater than ${earlier}\\b`));
          return true;
        });
      }
    });
  }
});
