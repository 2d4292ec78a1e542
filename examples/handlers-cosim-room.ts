// A room temperature model stepped every second reads the outside temperature and the heater power through data
// stream handlers. The inputs come from a CSV file here; the same model, unchanged, reads them from a Kafka topic
// or an MQTT topic when it is given another spec (the test suite runs all three and compares the trajectories):
//   npm run example -- handlers-cosim-room                        from a CSV file (the output below)
//   npm run example -- handlers-cosim-room kafka 127.0.0.1:9092   from a Kafka topic fed by a producer
//   npm run example -- handlers-cosim-room mqtt mqtt://127.0.0.1:1883
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaProducer } from '../src/connectors/kafka/index.ts';
import { MqttClient } from '../src/connectors/mqtt/index.ts';
import { HandlerSet, type HandlerSpec } from '../src/handlers/index.ts';

/** The recorded inputs: time (s), outside temperature (°C, continuous), heater power (W, switched). */
export const ROWS: [number, number, number][] = [
  [0, 4, 0],
  [60, 5, 0],
  [90.5, 5.5, 2000], // the heater switches on between two samples of the weather
  [120, 6, 2000],
  [180, 6.5, 2000],
  [240, 6, 2000],
  [300.25, 5.75, 0], // and off
  [360, 5, 0],
];
const END = 360;
const STEP = 1;
const TAU = 600; // s: how fast the room follows the outside
const HEAT = 1e-5; // °C per second per W of heating

/** Runs the model on the inputs a spec opens (`started` is told when it listens); returns the printed lines. */
export async function simulate(spec: HandlerSpec, started?: () => void): Promise<string[]> {
  const lines: string[] = [];
  await using inputs = new HandlerSet();
  inputs.addVariable(['room', 'outside'], spec, 'outside', { interpolation: 'linear' });
  inputs.addVariable(['room', 'heater'], spec, 'heater', { discrete: true });
  await inputs.start();
  started?.();
  let t = 0;
  let room = 18;
  const landed: number[] = [];
  while (t < END) {
    let next = Math.min((Math.floor(t / STEP) + 1) * STEP, END); // the next point of the grid
    await inputs.read(next); // live sources: wait until the data covers the whole step
    const event = inputs.nextEvent(t);
    if (event < next) {
      next = event; // shorten the step to land on the switch
      landed.push(event);
    }
    const u = inputs.getData(t);
    room += (next - t) * ((u['room.outside']! - room) / TAU + u['room.heater']! * HEAT);
    t = next;
    if (t % 60 === 0) {
      const now = inputs.getData(t);
      lines.push(
        `t=${String(t).padStart(3)} s  outside ${now['room.outside']!.toFixed(2)} °C  heater ${String(now['room.heater']).padStart(4)} W  room ${room.toFixed(3)} °C`,
      );
    }
  }
  lines.push(`steps shortened to land on the heater switches at ${landed.join(' s and ')} s`);
  return lines;
}

/** Writes the inputs to a CSV file and returns its spec. */
export function csvInputs(): HandlerSpec {
  const path = join(mkdtempSync(join(tmpdir(), 'cosim-room-')), 'inputs.csv');
  writeFileSync(path, `t,outside,heater\n${ROWS.map((r) => r.join(',')).join('\n')}\n`);
  return { type: 'csv', config: { path } };
}

/** Produces the inputs to a Kafka topic and returns its spec. */
export async function kafkaInputs(brokers: string[], topic: string): Promise<HandlerSpec> {
  const producer = new KafkaProducer({ brokers });
  await producer.send(
    ROWS.map(([t, outside, heater]) => ({ topic, value: Buffer.from(JSON.stringify({ t, outside, heater })) })),
  );
  await producer.close();
  return { type: 'kafka', config: { topic, brokers } };
}

/** Publishes the inputs to an MQTT topic once the model subscribed; returns its spec and the publishing task. */
export function mqttInputs(url: string, topic: string): { spec: HandlerSpec; publish(): Promise<void> } {
  return {
    spec: { type: 'mqtt', config: { url, topic, timeout: 10_000 } },
    async publish() {
      const client = new MqttClient({ url });
      for (const [t, outside, heater] of ROWS) await client.publish(topic, JSON.stringify({ t, outside, heater }));
      await client.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [source, where] = process.argv.slice(2);
  let lines: string[];
  if (source === 'kafka') {
    lines = await simulate(await kafkaInputs(where!.split(','), `cosim-room-${Date.now()}`));
  } else if (source === 'mqtt') {
    const inputs = mqttInputs(where!, 'cosim-room/inputs');
    let published: Promise<void> = Promise.resolve();
    // published once the model subscribed: it waits for the data it needs
    lines = await simulate(inputs.spec, () => (published = inputs.publish()));
    await published;
  } else {
    lines = await simulate(csvInputs());
  }
  console.log(lines.join('\n'));
}
