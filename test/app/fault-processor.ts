// A processor run as a child process by the fault tests: input → { id, n } → output, until `--idle` ms without
// input (then it drains, commits and exits 0), or until it is killed.
import { parseArgs } from 'node:util';
import { Application, count } from '../../src/index.ts';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    group: { type: 'string' },
    guarantee: { type: 'string', default: 'at-least-once' },
    window: { type: 'boolean', default: false },
    idle: { type: 'string', default: '4000' },
  },
});

const app = new Application({
  brokers: values.brokers!,
  consumerGroup: values.group!,
  autoOffsetReset: 'earliest',
  processingGuarantee: values.guarantee as 'at-least-once' | 'exactly-once',
  commitInterval: '200ms',
  sessionTimeout: '3s',
  retries: 40,
  retryDelay: 250,
});
const input = app.topic<string, { id: number; t: number }>(values.input!);
const output = app.topic(values.output!);
if (values.window) {
  app
    .stream(input)
    .tumblingWindow('1s', { timestamp: (r: any) => r.value.t })
    .agg({ n: count() })
    .final()
    .map((w) => ({ key: w.key, end: w.end, n: w.n }))
    .toTopic(output);
} else {
  app
    .stream(input)
    .map((r) => ({ id: r.value.id }))
    .toTopic(output);
}
process.stdout.write('ready\n');
await app.run({ timeout: Number(values.idle) });
process.stdout.write(`done ${app.counters.processed}\n`);
