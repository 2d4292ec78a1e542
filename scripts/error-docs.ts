// Writes docs/errors.md from the list of error codes in src/error-codes.ts (the one place each code is described).
// test/errors.test.ts fails when the two differ.
//   ./node_modules/.bin/node scripts/error-docs.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../src/error-codes.ts';

const INTRO = `# Errors

Every error twinstream raises is a \`TwinstreamError\` with a stable \`code\` (typed: \`TwinstreamErrorCode\`), a
message that says what was wrong, where (the field, the line, the offset) and what is accepted, an optional
\`cause\` (the error underneath) and an optional \`context\` object. Branch on \`code\`, never on the message.

\`\`\`ts
import { ERROR_CODES, Stream, TwinstreamError } from 'twinstream';

try {
  Stream.fromIterable([1, 2, 3]).buffer(0);
} catch (e) {
  if (e instanceof TwinstreamError) console.log(e.code, ERROR_CODES[e.code].retriable); // TS_BAD_ARGUMENT false
}
\`\`\`

## Where a user function's error goes

A function you give an operator (\`map\`, \`filter\`, \`sink\`, an aggregator, a timestamp extractor...) may throw:

- With an error branch on that node (\`.onError(handler)\` or \`.catch()\`), the branch receives
  \`{ error, value, node, metadata }\`: \`error\` is a \`TwinstreamError\` \`TS_NODE_FAILED\` (or the thrown error, when
  it is a \`TwinstreamError\` already) with the thrown error as \`cause\`, and the stream goes on. A \`catch()\`
  branch ends when its node does: what holds elements there (a batch, a dead-letter file) hands them on at the end,
  and \`await source.done\` waits for it.
- Without one, the error goes back to whoever called \`emit\`. Through a source (\`fromIterable\`, \`fromPeriodic\`,
  a Kafka source...) that is the source's run: it stops, and \`await source.done\` rejects with a \`TwinstreamError\`
  \`TS_NODE_FAILED\` whose \`cause\` is the original error. A graph you feed by hand with \`emit(x)\` gets the
  original error itself, as thrown (or the promise \`emit\` returned rejects with it): the delivery path has no
  \`try\` per node, which is part of what keeps it fast. Add an error branch where you want a \`TwinstreamError\`.
- Kafka applications dead-letter a message whose processing failed, with the error's code (\`TS_KAFKA_PROCESSING\`
  when the error had none).

## The codes

\`Retriable\`: yes when the same call may succeed later because the cause lies outside the program (a broker away,
a timeout); no when the input, the configuration or the program must change first.
`;

/** docs/errors.md as it should be: the introduction, then one row per code of `ERROR_CODES`. */
export function errorDocs(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, { meaning, retriable }]) =>
      `| \`${code}\` | ${meaning.replaceAll('|', '\\|')} | ${retriable ? 'yes' : 'no'} |`,
  );
  return `${INTRO}\n| code | meaning | retriable |\n| --- | --- | --- |\n${rows.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), errorDocs());
}
