import type { MqttClient as Client, IClientOptions } from 'mqtt';
import { badArgument, TwinstreamError, type TwinstreamErrorCode } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { type Duration, toMillis } from '../../time/duration.ts';

/** Where an MQTT broker is and how to talk to it. */
export interface MqttConnection {
  /** `mqtt://host:port`, `mqtts://`, `ws://` or `wss://`. Credentials belong in `username`/`password`, not here. */
  url: string;
  /** The client id (default: a random one). */
  clientId?: string;
  username?: string;
  password?: string;
  /** MQTT 3.1.1 (4, the default: every broker speaks it, aedes only it) or 5. */
  protocolVersion?: 4 | 5;
  /** Time to connect before `connect()` fails with `TS_MQTT_CONNECT`. Default 10 s. */
  connectTimeout?: Duration;
  /** Time between reconnection attempts after a lost connection (the client re-subscribes). Default 1 s. */
  reconnectPeriod?: Duration;
  /** Keep-alive, in seconds. Default 30. */
  keepalive?: number;
  /** Start a clean session (default true). */
  clean?: boolean;
}

/** What a subscriber receives. */
export interface MqttMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: 0 | 1 | 2;
}

/** @internal Replaces credentials in `text`: the password, and any `user:secret@` in a URL. */
export function scrubMqtt(text: string, connection: MqttConnection): string {
  let out = text.replace(/\/\/[^/@\s]*@/g, '//***@');
  const secret = connection.password;
  if (typeof secret === 'string' && secret.length >= 3) out = out.split(secret).join('***');
  return out;
}

/**
 * A small MQTT client over `mqtt` (loaded on first `connect()`): connect, subscribe with a handler, publish,
 * close. Every failure is a `TwinstreamError` (`TS_MQTT_CONNECT`, `TS_MQTT_SUBSCRIBE`, `TS_MQTT_PUBLISH`) whose
 * message names the broker and topic but never a credential.
 *
 * @example
 * const mqtt = new MqttClient({ url: 'mqtt://127.0.0.1:1883' });
 * await mqtt.connect();
 * await mqtt.subscribe('plant/+/temperature', (m) => console.log(m.topic, m.payload.toString()));
 * await mqtt.publish('plant/a/temperature', '21.5', { qos: 1 });
 * await mqtt.close();
 */
export class MqttClient {
  readonly connection: MqttConnection;
  private client: Client | null = null;
  private readonly handlers: { filter: string; fn(message: MqttMessage): void }[] = [];

  constructor(connection: MqttConnection) {
    if (connection === null || typeof connection !== 'object')
      badArgument('MqttClient', 'connection', connection, 'an object with url');
    if (!validUrl(connection.url)) {
      badArgument(
        'MqttClient',
        'url',
        scrubMqtt(String(connection.url), connection),
        "'mqtt://host:port' (or mqtts, ws, wss)",
      );
    }
    this.connection = connection;
  }

  /** Where it connects, without credentials (for messages). */
  get where(): string {
    return scrubMqtt(this.connection.url, this.connection);
  }

  private connecting: Promise<void> | null = null;

  /**
   * Connects (once); resolves when the broker accepted the connection. Calls made while connecting share that
   * connection (each made its own before, and the extra ones were left reconnecting for ever).
   */
  connect(): Promise<void> {
    if (this.client !== null) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const mqtt = await importOptional('mqtt', 'MqttClient', () => import('mqtt'));
    const c = this.connection;
    const options: IClientOptions = {
      protocolVersion: c.protocolVersion ?? 4,
      connectTimeout: toMillis(c.connectTimeout ?? 10_000, 'MqttClient: connectTimeout'),
      reconnectPeriod: toMillis(c.reconnectPeriod ?? 1000, 'MqttClient: reconnectPeriod'),
      keepalive: c.keepalive ?? 30,
      clean: c.clean ?? true,
      ...(c.clientId === undefined ? {} : { clientId: c.clientId }),
      ...(c.username === undefined ? {} : { username: c.username }),
      ...(c.password === undefined ? {} : { password: c.password }),
    };
    const client = mqtt.connect(c.url, options);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new TwinstreamError('TS_MQTT_CONNECT', `no CONNACK within ${options.connectTimeout} ms`)),
          options.connectTimeout,
        );
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    } catch (error) {
      client.end(true);
      throw this.fail('TS_MQTT_CONNECT', `connecting to ${this.where} failed`, error);
    }
    client.on('error', () => {}); // reconnection is the client's; a fatal error surfaces on the next call
    client.on('message', (topic, payload, packet) => {
      const message: MqttMessage = { topic, payload, retain: packet.retain, qos: packet.qos };
      for (const h of this.handlers) if (matches(h.filter, topic)) h.fn(message);
    });
    this.client = client;
  }

  /** Subscribes `filter` (`+` and `#` wildcards) and hands each matching message to `fn`; connects if needed. */
  async subscribe(
    filter: string,
    fn: (message: MqttMessage) => void,
    options: { qos?: 0 | 1 | 2 } = {},
  ): Promise<void> {
    if (typeof filter !== 'string' || filter === '')
      badArgument('MqttClient.subscribe', 'filter', filter, 'a topic filter');
    await this.connect();
    this.handlers.push({ filter, fn });
    try {
      const granted = await this.client!.subscribeAsync(filter, { qos: options.qos ?? 1 });
      const refused = granted.find((g) => g.qos === 128);
      if (refused) {
        throw new TwinstreamError('TS_MQTT_SUBSCRIBE', `the broker refused the subscription (${refused.topic})`);
      }
    } catch (error) {
      throw this.fail('TS_MQTT_SUBSCRIBE', `subscribing to "${filter}" on ${this.where} failed`, error);
    }
  }

  /** Publishes a message; with qos 1 or 2 resolves when the broker acknowledged it. */
  async publish(
    topic: string,
    payload: string | Buffer,
    options: { qos?: 0 | 1 | 2; retain?: boolean } = {},
  ): Promise<void> {
    await this.connect();
    try {
      await this.client!.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
    } catch (error) {
      throw this.fail('TS_MQTT_PUBLISH', `publishing to "${topic}" on ${this.where} failed`, error);
    }
  }

  /** Disconnects (after in-flight messages); idempotent. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.handlers.length = 0;
    await client?.endAsync();
  }

  private fail(code: TwinstreamErrorCode, what: string, error: unknown): TwinstreamError {
    const reason = scrubMqtt(error instanceof Error ? error.message : String(error), this.connection);
    return new TwinstreamError(code, `${what}: ${reason}`, { context: { url: this.where } });
  }
}

function validUrl(url: unknown): boolean {
  if (typeof url !== 'string' || !/^(mqtts?|wss?|tcp|ssl):\/\//.test(url)) return false;
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Whether an MQTT topic filter (`+` one level, `#` the rest) matches a topic.
 *
 * @example
 * matches('plant/+/temp', 'plant/a/temp'); // true
 * matches('plant/#', 'plant/a/b');         // true
 * @internal
 */
export function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
