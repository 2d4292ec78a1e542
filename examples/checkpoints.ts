// At-least-once delivery with reference counts: a source "commits" an offset only when every node downstream is
// done with the element — here, once the batch of 4 that holds it has been written by a slow async sink.
import { RefCounter, Stream } from '../src/index.ts';

const committed: number[] = [];
const written: number[][] = [];
const source = new Stream<{ offset: number; value: number }>();

source
  .pluck('value')
  .partition(4)
  .sink(async (batch) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    written.push(batch);
  });

for (let offset = 0; offset < 10; offset++) {
  const ref = new RefCounter(() => committed.push(offset));
  await source.emit({ offset, value: offset * 10 }, [{ ref }]);
  console.log(`after offset ${offset}: written ${JSON.stringify(written)}, committed up to ${committed.at(-1) ?? '-'}`);
}
console.log(`offsets 8 and 9 wait in a partial batch, so they are not committed: ${JSON.stringify(committed)}`);
