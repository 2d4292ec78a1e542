// Types are tested too: `npm run typecheck` compiles this file, and each @ts-expect-error must meet an error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Stream } from '../../src/index.ts';

test('element types flow through operators', () => {
  const source = new Stream<number>();
  const strings: Stream<string> = source.map((x) => x.toFixed(1));
  const lengths: Stream<number> = strings.map((s) => s.length);
  // @ts-expect-error a string-only method on numbers does not compile
  source.map((x) => x.toUpperCase());
  // @ts-expect-error filter keeps the element type: a number stream is not a string stream
  const wrong: Stream<string> = source.filter((x) => x > 0);
  const sums: Stream<number> = source.accumulate((a: number, x) => a + x, { start: 0 });
  const records = new Stream<{ id: string; v: number }>();
  const ids: Stream<string> = records.pluck('id');
  // @ts-expect-error pluck of a missing field does not compile as that field's type
  const nope: Stream<number> = records.pluck('id');
  assert.ok(lengths && sums && ids && wrong && nope);
});

test('streams are covariant in their element type, whatever operators plugins add', () => {
  const numbers = new Stream<number>();
  const anything: Stream<unknown> = numbers;
  const fromSource: Stream<unknown> = Stream.fromIterable([1, 2, 3]);
  const records: Stream<{ id: string }> = new Stream<{ id: string; v: number }>();
  assert.ok(anything && fromSource && records);
});

test('pluck takes field names of the element only, and types what it picks', () => {
  const records = new Stream<{ id: string; v: number }>();
  // @ts-expect-error a field the element does not have does not compile
  records.pluck('nope');
  // @ts-expect-error nor among several
  records.pluck(['id', 'nope']);
  const pair: Stream<readonly [string, number]> = records.pluck(['id', 'v']);
  const loose = new Stream<any>();
  const anything: Stream<unknown> = loose.pluck('whatever');
  assert.ok(pair && anything);
});
