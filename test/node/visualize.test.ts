// visualize: SVG/PNG through graphviz dot when it is on the PATH, else the .dot next to the file.
// The "with dot" tests need graphviz installed (Debian: apt-get install graphviz); they fail loudly without it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Stream } from '../../src/index.ts';
import { visualize } from '../../src/node/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'twinstream-visualize-'));

function pipeline(): Stream<number> {
  const source = new Stream<number>({ name: 'readings' });
  source
    .map((x) => x * 2)
    .filter((x) => x > 1)
    .sinkToList();
  return source;
}

/** Runs `fn` with a PATH that holds no `dot`. */
async function withoutDot<R>(fn: () => Promise<R>): Promise<R> {
  const saved = process.env.PATH;
  process.env.PATH = join(dir, 'empty-bin');
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('visualize', () => {
  test('renders an SVG with graphviz dot', async () => {
    const file = join(dir, 'graph.svg');
    const result = await pipeline().visualize(file);
    assert.deepEqual(result, { file, rendered: true, message: `rendered the graph to ${file} with graphviz dot` });
    const svg = readFileSync(file, 'utf8');
    assert.match(svg, /<svg[\s>]/);
    assert.match(svg, /readings \(stream\)/);
    assert.match(svg, />filter</);
  });

  test('renders a PNG, from the extension or the format option', async () => {
    const file = join(dir, 'graph.png');
    assert.equal((await visualize(pipeline(), file)).rendered, true);
    assert.deepEqual([...readFileSync(file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const forced = join(dir, 'graph-image');
    await visualize(pipeline(), forced, { format: 'png' });
    assert.deepEqual([...readFileSync(forced).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  test('without dot on the PATH it writes the .dot next to the file and says so', async () => {
    const file = join(dir, 'fallback.svg');
    const source = pipeline();
    const result = await withoutDot(() => source.visualize(file));
    assert.equal(result.rendered, false);
    assert.equal(result.file, join(dir, 'fallback.dot'));
    assert.match(result.message, /graphviz "dot" is not on the PATH/);
    assert.match(result.message, /dot -Tsvg .*fallback\.dot -o .*fallback\.svg/);
    assert.equal(readFileSync(result.file, 'utf8'), source.toDot());
    assert.equal(existsSync(file), false);
  });

  test('bad arguments are refused', async () => {
    await assert.rejects(visualize(pipeline(), join(dir, 'x.svg'), { format: 'pdf' as any }), {
      code: 'TS_BAD_ARGUMENT',
      message: /format = "pdf" is not valid; expected "svg" or "png"/,
    });
    await assert.rejects(visualize(pipeline(), ''), { code: 'TS_BAD_ARGUMENT', message: /file/ });
  });

  test('a dot that fails reports its error', async () => {
    await assert.rejects(pipeline().visualize(join(dir, 'no', 'such', 'dir', 'graph.svg')), {
      code: 'TS_RENDER_FAILED',
    });
  });
});
