import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Acknowledgement, ConnectorSource, type MalformedInput } from '../../../src/connectors/source/index.ts';
import { Stream } from '../../../src/index.ts';

test('an acknowledgement fires once, after seal(), when the last holder lets go', async () => {
  const calls: unknown[] = [];
  const ack = new Acknowledgement((error) => calls.push(error));
  const source = new Stream<number>();
  const held = source.buffer(4);
  const out: number[] = [];
  held.sink(async (x) => {
    await new Promise((r) => setTimeout(r, 5));
    out.push(x);
  });
  source.emit(1, ack.metadata);
  source.emit(2, ack.metadata);
  assert.equal(calls.length, 0);
  ack.seal();
  assert.equal(calls.length, 0, 'the buffer still holds them');
  while (!ack.acknowledged) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(out, [1, 2]);
  assert.deepEqual(calls, [undefined]);
});

test('a synchronous graph does not fire it before seal(); a failed element passes its error', () => {
  const calls: unknown[] = [];
  const ack = new Acknowledgement((error) => calls.push(error));
  const source = new Stream<number>();
  source.sink(() => {});
  source.emit(1, ack.metadata);
  source.emit(2, ack.metadata);
  assert.equal(calls.length, 0);
  ack.fail(new Error('boom'));
  ack.seal();
  assert.equal(calls.length, 1);
  assert.equal((calls[0] as Error).message, 'boom');
  ack.retain();
  ack.release();
  assert.equal(calls.length, 1, 'only once');
});

class Words extends ConnectorSource<string> {
  readonly text: string;
  readonly acks: number[] = [];
  constructor(text: string) {
    super();
    this.text = text;
  }
  protected async run(): Promise<void> {
    const words = this.text.split(' ');
    for (let i = 0; i < words.length; i++) {
      const ack = new Acknowledgement((e) => e === undefined && this.acks.push(i));
      if (words[i] === '?') this.reject('unknown', `word ${i + 1}`, 'text', words[i]);
      else await this.deliver(words[i]!, ack);
      ack.seal();
    }
  }
}

test('ConnectorSource counts and reports malformed input, and ends with stop() or await using', async () => {
  const reports: MalformedInput[] = [];
  const out: string[] = [];
  {
    await using source = new Words('a ? b ? c');
    source.sink((w) => out.push(w));
    source.malformedInput().sink((m) => reports.push(m));
    source.start();
    await source.ended;
    assert.equal(source.malformed, 2);
    assert.equal(source.malformedBy.get('unknown'), 2);
    assert.equal(source.delivered, 3);
    assert.deepEqual(source.acks, [0, 1, 2, 3, 4]);
  }
  assert.deepEqual(out, ['a', 'b', 'c']);
  assert.deepEqual(
    reports.map((r) => [r.reason, r.message, r.sample]),
    [
      ['unknown', 'word 2', '?'],
      ['unknown', 'word 4', '?'],
    ],
  );
});
