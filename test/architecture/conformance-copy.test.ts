import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COPY_DIR, SHARED_DIR } from '../support/conformance.ts';

test('the copy of the conformance vectors matches the shared ones', (t) => {
  const copies = readdirSync(COPY_DIR).filter((f) => f.endsWith('.jsonl'));
  assert.ok(copies.length >= 6, 'the copy holds every vector file');
  if (!existsSync(SHARED_DIR)) {
    t.diagnostic('no shared folder beside the repository: the tests use the copy');
    return;
  }
  for (const f of readdirSync(SHARED_DIR).filter((f) => f.endsWith('.jsonl'))) {
    assert.ok(copies.includes(f), `test/conformance lacks ${f}`);
    assert.equal(
      readFileSync(`${COPY_DIR}${f}`, 'utf8'),
      readFileSync(`${SHARED_DIR}${f}`, 'utf8'),
      `${f} differs from the shared file`,
    );
  }
});
