import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CsvRecords } from '../../../src/connectors/files/csv-records.ts';

function parse(chunks: string[]): { records: [number, string[]][]; bad: [number, string][] } {
  const r = new CsvRecords(',');
  const records: [number, string[]][] = [];
  const bad: [number, string][] = [];
  chunks.forEach((c, i) => {
    r.push(
      c,
      i === chunks.length - 1,
      (f, line) => void records.push([line, [...f]]),
      (line, reason) => void bad.push([line, reason]),
    );
  });
  return { records, bad };
}

const TEXT = 'a,b\r\n1,"x, ""y"""\n\n2,"two\nlines"\n3,4,5\n4,"bad"x\n5,"open';

test('CsvRecords: quotes, escapes, newlines in quotes, ragged and broken records, with their lines', () => {
  assert.deepEqual(parse([TEXT]), {
    records: [
      [1, ['a', 'b']],
      [2, ['1', 'x, "y"']],
      [4, ['2', 'two\nlines']],
      [6, ['3', '4', '5']],
    ],
    bad: [
      [7, 'has text after a closing quote'],
      [8, 'has a quoted field that is never closed'],
    ],
  });
});

test('CsvRecords: any split into chunks gives the same records and lines', () => {
  const whole = parse([TEXT]);
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: TEXT.length - 1 }), { maxLength: 6 }), (cuts) => {
      const at = [0, ...cuts.sort((a, b) => a - b), TEXT.length];
      const chunks = at.slice(1).map((end, i) => TEXT.slice(at[i], end));
      assert.deepEqual(parse(chunks), whole);
    }),
  );
});
