// The error codes: one typed list, documented once (docs/errors.md is generated from it), every code in use
// listed, no raw Error thrown from src/, refused arguments through badArgument, and user functions' errors.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { errorDocs } from '../scripts/error-docs.ts';
import { ERROR_CODES, Stream, TwinstreamError, type TwinstreamErrorCode } from '../src/index.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each line of src/ matching `re`, as `src/<file>:<line>: <text>`. */
function linesMatching(re: RegExp, skip: (file: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const f of sources(SRC)) {
    const rel = relative(SRC, f);
    if (skip(rel)) continue;
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (re.test(line)) out.push(`src/${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  return out;
}

describe('error codes', () => {
  test('docs/errors.md is the list of codes (regenerate: node scripts/error-docs.ts)', () => {
    const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    assert.equal(docs, errorDocs());
  });

  test('every code src/ uses is in the list, and every listed code is used', () => {
    const used = new Set<string>();
    for (const f of sources(SRC)) {
      if (f.endsWith('error-codes.ts')) continue;
      for (const m of readFileSync(f, 'utf8').matchAll(/'(TS_[A-Z0-9_]+)'/g)) used.add(m[1]!);
    }
    const listed = new Set(Object.keys(ERROR_CODES));
    assert.deepEqual(
      [...used].filter((c) => !listed.has(c)),
      [],
      'codes used but not listed',
    );
    assert.deepEqual(
      [...listed].filter((c) => !used.has(c)),
      [],
      'codes listed but never used',
    );
  });

  test('each code has a meaning and says whether a retry can help', () => {
    for (const [code, { meaning, retriable }] of Object.entries(ERROR_CODES)) {
      assert.match(code, /^TS_[A-Z0-9_]+$/);
      assert.ok(meaning.length > 10, code);
      assert.equal(typeof retriable, 'boolean', code);
    }
  });

  test('error.code is typed: a code not in the list does not compile', () => {
    // @ts-expect-error TS_NO_SUCH_CODE is not a TwinstreamErrorCode
    const e = new TwinstreamError('TS_NO_SUCH_CODE', 'never thrown');
    const code: TwinstreamErrorCode = new TwinstreamError('TS_BAD_ARGUMENT', 'x').code;
    assert.equal(code, 'TS_BAD_ARGUMENT');
    assert.equal(e.code, 'TS_NO_SUCH_CODE'); // compiles only with the expect-error above; runs all the same
  });

  test('no raw Error, TypeError, RangeError... is thrown or rejected with from src/', () => {
    const raw =
      /(throw|reject\(|Promise\.reject\()\s*(new\s+)?(Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|AggregateError)\(/;
    assert.deepEqual(linesMatching(raw), []);
  });

  test('refused arguments go through badArgument (no TS_BAD_ARGUMENT built by hand)', () => {
    assert.deepEqual(
      linesMatching(/'TS_BAD_ARGUMENT'/, (f) => f === 'errors.ts' || f === 'error-codes.ts'),
      [],
    );
  });
});

describe("a user function's error", () => {
  test('reaches done of the source as TS_NODE_FAILED, the original as cause', async () => {
    const source = Stream.fromIterable(['{"v":1}', '{bad']).named('lines');
    source.map((s) => JSON.parse(s)).sinkToList();
    source.start();
    const error = await source.done.then(
      () => assert.fail('done should reject'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TwinstreamError);
    assert.equal(error.code, 'TS_NODE_FAILED');
    assert.ok(error.cause instanceof SyntaxError);
    assert.match(error.message, /^lines stopped: /);
  });

  test('an async one too', async () => {
    const boom = new RangeError('out of range');
    const source = Stream.fromIterable([1, 2, 3]);
    source.sink(async (x) => {
      if (x === 2) throw boom;
    });
    source.start();
    await assert.rejects(source.done, (e: unknown) => e instanceof TwinstreamError && e.cause === boom);
  });

  test('a TwinstreamError passes through as it is', async () => {
    const source = Stream.fromIterable([[1], 2]);
    source.flatten().sinkToList();
    source.start();
    await assert.rejects(source.done, { code: 'TS_NOT_ITERABLE' });
  });

  test('emit called by hand gets the original error (documented; an error branch gives a TwinstreamError)', () => {
    const source = new Stream<string>();
    source.map((s) => JSON.parse(s)).sinkToList();
    assert.throws(() => source.emit('{bad'), SyntaxError);
  });
});
