import { z } from 'zod';
import { MqttClient } from '../connectors/mqtt/client.ts';
import { DataStreamHandler } from './data-stream-handler.ts';
import { parseHandlerConfig } from './handler-config.ts';
import { LiveHandler, liveFields } from './live-handler.ts';

const schema = z
  .object({
    /** `mqtt://host:port` (or mqtts, ws, wss). */
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^/]/, "a broker URL like 'mqtt://host:1883'"),
    /** A topic filter (`+` and `#` wildcards). */
    topic: z.string().min(1, 'a topic filter'),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    clientId: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    ...liveFields,
  })
  .strict();

/** The config of an `mqtt` handler. */
export type MqttHandlerConfig = z.input<typeof schema>;

/**
 * Values from MQTT messages (twinstream's MQTT client), received in the background into a bounded, sorted time
 * index. Each message is a JSON object with the time under `t` and values under the variables' aliases; a bad one
 * is listed in `errors` with its topic and sequence number and the reason.
 *
 * @example
 * await using h = new MqttHandler({ url: 'mqtt://127.0.0.1:1883', topic: 'plant/weather', interpolation: 'linear' });
 * h.addVariable(['room', 'outside'], 'temperature');
 * await h.start();
 * await h.waitFor(60);
 * h.getData(60);
 */
export class MqttHandler extends LiveHandler {
  static readonly typeName = 'mqtt';
  declare readonly config: z.output<typeof schema>;
  private client: MqttClient | null = null;
  private sequence = 0;

  constructor(config: MqttHandlerConfig) {
    super(parseHandlerConfig(schema, config, 'mqtt'));
  }

  /** The same topic filter on the same broker. */
  static streamIdentity(config: z.output<typeof schema>): string {
    return JSON.stringify([config.url, config.topic]);
  }

  describeStream(): string {
    return `mqtt handler (topic ${this.config.topic})`;
  }

  protected async open(): Promise<void> {
    const c = this.config;
    const client = new MqttClient({
      url: c.url,
      protocolVersion: c.protocolVersion,
      ...(c.clientId === undefined ? {} : { clientId: c.clientId }),
      ...(c.username === undefined ? {} : { username: c.username }),
      ...(c.password === undefined ? {} : { password: c.password }),
    });
    this.client = client;
    await client.subscribe(c.topic, (m) => this.ingest(m.payload, `${m.topic}#${this.sequence++}`), { qos: c.qos });
  }

  protected async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.close();
  }
}

DataStreamHandler.register(MqttHandler);
