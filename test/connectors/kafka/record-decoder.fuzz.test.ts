// Kafka records from outside, decoded without a broker: any key, value, headers and timestamp either become a
// record or fail with a TS_KAFKA_* code the source dead-letters; nothing from the message becomes a prototype.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RecordDecoder } from '../../../src/connectors/kafka/record-decoder.ts';
import { TwinstreamError } from '../../../src/index.ts';
import { MAX_TIMESTAMP } from '../../../src/window/timestamp.ts';
import { anyOutsideValue, fuzzParameters } from '../../support/fuzz.ts';

const raw = (over: Partial<{ key: Buffer | null; value: Buffer | null; headers: Map<Buffer | string, Buffer> }>) => ({
  topic: 't',
  partition: 0,
  offset: 7n,
  key: null,
  value: Buffer.from('{"v":1}'),
  timestamp: 1000n,
  headers: new Map<Buffer | string, Buffer>(),
  ...over,
});

const refused = (e: unknown) => e instanceof TwinstreamError && /^TS_KAFKA_/.test(e.code) && e.message.length > 0;

describe('RecordDecoder on records from outside', () => {
  it('a header named "__proto__" is a header, and no header reaches a prototype', () => {
    const decoder = new RecordDecoder({}, 'test');
    const headers = new Map<Buffer | string, Buffer>([
      [Buffer.from('__proto__'), Buffer.from('x')],
      ['constructor', Buffer.from('y')],
    ]);
    const r = decoder.decode(raw({ headers }));
    assert.equal(Object.prototype.isPrototypeOf.call(Object.prototype, r.headers), false);
    assert.equal('toString' in r.headers, false);
    assert.deepEqual(Object.keys(r.headers), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(r.headers, '__proto__')?.value.toString(), 'x');
  });

  it('invalid UTF-8 inside JSON is refused (TS_KAFKA_DESERIALIZE), not read with U+FFFD', () => {
    const decoder = new RecordDecoder({}, 'test');
    const bad = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    assert.throws(
      () => decoder.decode(raw({ value: bad })),
      (e: any) => e.code === 'TS_KAFKA_DESERIALIZE' && /not valid UTF-8/.test(e.message),
    );
  });

  it('an extractor timestamp outside ±8.64e15 or of any odd type is TS_KAFKA_BAD_TIMESTAMP, described', () => {
    for (const t of [1e300, -1e300, MAX_TIMESTAMP + 1, Object.create(null), Symbol('t'), 10n ** 20n]) {
      const decoder = new RecordDecoder<string, unknown>({ timestamp: () => t as never }, 'test');
      assert.throws(
        () => decoder.decode(raw({})),
        (e: any) => e.code === 'TS_KAFKA_BAD_TIMESTAMP',
      );
    }
    const iso = new RecordDecoder<string, unknown>({ timestamp: () => '2024-06-14T10:00:00Z' }, 'test');
    assert.equal(iso.decode(raw({})).timestamp, Date.parse('2024-06-14T10:00:00Z'));
  });

  it('any key, value and headers decode or are refused with a TS_KAFKA_ code', () => {
    const bytes = fc.oneof(
      fc.constant(null),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      anyOutsideValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.string().map((s) => Buffer.from(s)),
    );
    const headerName = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString'));
    const headers = fc
      .array(fc.tuple(headerName, fc.uint8Array({ maxLength: 8 })), { maxLength: 4 })
      .map((hs) => new Map<Buffer | string, Buffer>(hs.map(([k, v]) => [Buffer.from(k), Buffer.from(v)])));
    const extractor = fc.constantFrom(
      undefined,
      (v: any) => v?.ts,
      (v: any) => v,
    );
    fc.assert(
      fc.property(
        bytes,
        bytes,
        headers,
        extractor,
        fc.constantFrom<'json' | 'string' | 'bytes'>('json', 'string', 'bytes'),
        (key, value, hs, ts, serde) => {
          const decoder = new RecordDecoder<unknown, unknown>(
            { value: serde, maxMessageBytes: 100, ...(ts === undefined ? {} : { timestamp: ts }) },
            'fuzz',
          );
          try {
            const r = decoder.decode(raw({ key, value, headers: hs }));
            return (
              !Object.prototype.isPrototypeOf.call(Object.prototype, r.headers) &&
              Object.keys(r.headers).length === new Set([...hs.keys()].map(String)).size &&
              (key === null ? r.key === null : r.key === key.toString('utf8')) &&
              r.timestamp >= -MAX_TIMESTAMP &&
              r.timestamp <= MAX_TIMESTAMP
            );
          } catch (e) {
            return refused(e);
          }
        },
      ),
      fuzzParameters(2000),
    );
  });
});
