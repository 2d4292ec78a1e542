// Quix Streams' temperature tutorial processor in TypeScript: reads `raw-temperature`, uses the payload's `ts` as event time,
// aggregates count/min/max/mean per sensor in 10 s tumbling windows with 1 s grace, and writes each closed window
// as `{ time: end, temperature: { count, min, max, mean } }` to `agg-temperature`, keyed by sensor.
//
//   npm run example -- kafka-temperature-processor       runs until Ctrl-C (drains and commits on the way out)
import { parseArgs } from 'node:util';
import { Application, type ApplicationOptions } from '../src/app/index.ts';
import { count, max, mean, min } from '../src/index.ts';

export const WINDOW = '10s';
export const GRACE = '1s';

/** The processor: an application with its graph built, ready to `run()`. */
export function temperatureProcessor(
  config: Partial<ApplicationOptions> & Pick<ApplicationOptions, 'brokers'> & { groupId?: string },
  topics = { input: 'raw-temperature', output: 'agg-temperature' },
): Application {
  const app = new Application({
    autoOffsetReset: 'earliest',
    ...config,
    groupId: config.groupId ?? 'temperature-processor',
  });
  const input = app.topic<string, { ts: string; value: number }>(topics.input, {
    value: 'json',
    timestamp: (v) => v.ts,
  });
  const output = app.topic(topics.output, { value: 'json' });
  app
    .stream(input)
    .tumblingWindow(WINDOW, { grace: GRACE })
    .agg({ count: count(), min: min('value'), max: max('value'), mean: mean('value') })
    .final()
    .map((w) => ({ time: w.end, temperature: { count: w.count, min: w.min, max: w.max, mean: w.mean } }))
    .toTopic(output);
  return app;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? 'localhost:9092' } },
  });
  const app = temperatureProcessor({ brokers: values.brokers! });
  console.log('Starting application');
  await app.run();
  console.log(`stopped after ${app.counters.processed} readings`);
}
