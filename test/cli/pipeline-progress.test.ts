// The live counts of `twinstream run` on a terminal, and none in a pipe.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pipelineProgress } from '../../src/cli/pipeline-progress.ts';

test('a terminal gets elements in, out, dead-lettered and the rate; a pipe gets nothing', async () => {
  const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 120 }) as unknown as NodeJS.WriteStream;
  let text = '';
  (tty as unknown as PassThrough).on('data', (b: Buffer) => (text += b.toString()));
  const line = await pipelineProgress(tty);
  assert.ok(line);
  line.update({
    name: 'p',
    inputs: [
      { name: 'a', type: 'csv', records: 1500 },
      { name: 'b', type: 'csv', records: 500 },
    ],
    emitted: 1990,
    deadLettered: 10,
    wallSeconds: 2,
  });
  line.stop();
  assert.match(text, /running \| 2,000 in \| 1,990 out \| 10 dead-lettered \| 1,000 in\/s/);
  const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  assert.equal(await pipelineProgress(pipe), null);
});
