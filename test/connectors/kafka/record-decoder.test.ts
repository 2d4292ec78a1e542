import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaRecord } from '../../../src/connectors/kafka/index.ts';
import { RecordDecoder } from '../../../src/connectors/kafka/record-decoder.ts';
import { Stream } from '../../../src/index.ts';
import { windowDefaultsOf } from '../../../src/window/index.ts';

const message = (key: Buffer | null, offset = 0) => ({
  topic: 't',
  partition: 0,
  offset: BigInt(offset),
  key,
  value: Buffer.from('{"v":1}'),
  timestamp: 1000n,
  headers: new Map(),
});

test('string keys decode as the runtime decodes them, however they repeat, collide or overflow the cache', () => {
  const decoder = new RecordDecoder({}, 'test');
  const keys: Buffer[] = [
    Buffer.from('sensor-1'),
    Buffer.from('sensor-2'),
    Buffer.from('capteur-é-ü-漢字'),
    Buffer.from([0xff, 0xfe, 0x41]), // invalid UTF-8: replacement characters, as toString gives
    Buffer.from([0xe6, 0xbc]), // a truncated sequence
    Buffer.from('x'.repeat(48)),
    Buffer.from('y'.repeat(49)), // longer than what the cache keeps
    Buffer.from('a'),
    Buffer.from('b'),
  ];
  // Many distinct keys (more than the cache's slots: slots are taken over) interleaved with the ones above.
  for (let i = 0; i < 5000; i++) keys.push(Buffer.from(`device-${i}`));
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < keys.length; i++) {
      // A key as a slice of a larger buffer, as the client delivers it; the buffer is then overwritten, as the
      // client's response buffers are reused: what the decoder kept must be its own copy.
      const big = Buffer.concat([Buffer.from('..'), keys[i]!, Buffer.from('..')]);
      const slice = big.subarray(2, 2 + keys[i]!.length);
      const record = decoder.decode(message(slice, i));
      assert.equal(record.key, keys[i]!.toString('utf8'));
      big.fill(0x7a);
    }
  }
});

test('an empty key is the string key "", a missing key is null', () => {
  const decoder = new RecordDecoder({}, 'test');
  assert.equal(decoder.decode(message(Buffer.alloc(0))).key, '');
  assert.equal(decoder.decode(message(null)).key, null);
});

test('keys of same length and hash slot but different bytes stay apart', () => {
  const decoder = new RecordDecoder({}, 'test');
  // Every two-byte key: 65536 keys over 1024 slots, so many share a slot; each must come back as itself.
  for (let round = 0; round < 2; round++) {
    for (let a = 0; a < 256; a += 3) {
      for (let b = 0; b < 256; b += 5) {
        const k = Buffer.from([a, b]);
        assert.equal(decoder.decode(message(k)).key, k.toString('utf8'));
      }
    }
  }
});

test('a custom key serde is used as given', () => {
  const decoder = new RecordDecoder(
    {
      key: { name: 'upper', serialize: (s: string) => Buffer.from(s), deserialize: (b) => b.toString().toUpperCase() },
    },
    'test',
  );
  assert.equal(decoder.decode(message(Buffer.from('abc'))).key, 'ABC');
  assert.equal(decoder.decode(message(Buffer.from('abc'))).key, 'ABC');
});

test("decoded records carry Quix's window defaults: windows key them by the record key and sum the value", () => {
  const decoder = new RecordDecoder({ value: 'json' }, 'test');
  const s = new Stream<KafkaRecord<string, { v: number }>>();
  const out = s.tumblingWindow(10_000).count().final().sinkToList();
  const sums = s
    .tumblingWindow(10_000, { value: (r) => r.value.v })
    .sum()
    .final()
    .sinkToList();
  s.emit(decoder.decode(message(Buffer.from('a'), 0)) as KafkaRecord<string, { v: number }>);
  s.emit(decoder.decode(message(Buffer.from('b'), 1)) as KafkaRecord<string, { v: number }>);
  s.emit(decoder.decode(message(Buffer.from('a'), 2)) as KafkaRecord<string, { v: number }>);
  s.end();
  assert.deepEqual(
    out.map((w) => [w.key, w.value]),
    [
      ['a', 2],
      ['b', 1],
    ],
  );
  assert.deepEqual(
    sums.map((w) => [w.key, w.value]),
    [
      ['a', 2],
      ['b', 1],
    ],
  );
  assert.equal(windowDefaultsOf(decoder.decode(message(Buffer.from('a'))))?.partition?.({ partition: 3 }), 3);
});
