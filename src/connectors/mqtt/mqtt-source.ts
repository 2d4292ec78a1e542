import type { MqttClient as Client, IClientOptions, IPublishPacket } from 'mqtt';
import type { StreamOptions } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { importOptional } from '../../import-optional.ts';
import { toMillis } from '../../time/duration.ts';
import { Acknowledgement } from '../source/acknowledgement.ts';
import { ConnectorSource } from '../source/connector-source.ts';
import { decodePayload, type PayloadFormat } from '../source/decode-payload.ts';
import type { MqttConnection } from './client.ts';
import { scrubMqtt } from './client.ts';

/** How `Stream.fromMqtt` subscribes and decodes. */
export interface FromMqttOptions extends Omit<MqttConnection, 'url'> {
  /** QoS of the subscription: 0 (at most once) or 1 (at least once, PUBACK after processing). Default 1. */
  qos?: 0 | 1;
  /** How a payload becomes an element: `'json'` (default), `'string'` (UTF-8) or `'bytes'` (a Buffer). */
  value?: PayloadFormat;
  /** Payloads larger than this are refused as malformed (`'too-large'`). Default 1 MiB. */
  maxMessageBytes?: number;
}

/** One element of `Stream.fromMqtt`. */
export interface MqttRecord<V = unknown> {
  topic: string;
  value: V;
  qos: 0 | 1 | 2;
  retain: boolean;
}

/**
 * A source of the messages matching an MQTT topic filter (`+`, `#` wildcards). A QoS 1 message is acknowledged
 * (PUBACK) only when every node of the graph is done with it, so a crash before that makes the broker send it
 * again (with `clean: false` and a fixed `clientId`, also across restarts). mqtt.js hands messages over one at a
 * time per connection: the next arrives when the previous one is accepted (QoS 0) or acknowledged (QoS 1). The
 * client reconnects by itself and re-subscribes; a payload that does not decode is counted, reported on
 * `malformedInput()` and acknowledged (a bad message sent again would fail again).
 *
 * @example
 * const source = Stream.fromMqtt('mqtt://127.0.0.1:1883', 'plant/+/temperature', { qos: 1 });
 * source.sink((m) => console.log(m.topic, m.value));
 * source.start();
 */
export class MqttSource<V = unknown> extends ConnectorSource<MqttRecord<V>> {
  override kind = 'fromMqtt';
  readonly url: string;
  readonly topicFilter: string;
  private readonly options: FromMqttOptions;
  private readonly qos: 0 | 1;
  private readonly format: PayloadFormat;
  private readonly maxBytes: number;
  private readonly subscribed: { promise: Promise<void>; resolve(): void; reject(e: unknown): void };

  constructor(url: string, topicFilter: string, options: FromMqttOptions = {}, streamOptions: StreamOptions = {}) {
    if (typeof url !== 'string' || !/^(mqtts?|wss?|tcp|ssl):\/\/[^/]/.test(url))
      badArgument('Stream.fromMqtt', 'url', scrubMqtt(String(url), { url: '' }), "'mqtt://host:port'");
    if (typeof topicFilter !== 'string' || topicFilter === '' || /#./.test(topicFilter))
      badArgument('Stream.fromMqtt', 'topicFilter', topicFilter, "a topic filter ('a/+/c', 'a/#')");
    const qos = options.qos ?? 1;
    if (qos !== 0 && qos !== 1) badArgument('Stream.fromMqtt', 'qos', qos, '0 or 1');
    const format = options.value ?? 'json';
    if (format !== 'json' && format !== 'string' && format !== 'bytes')
      badArgument('Stream.fromMqtt', 'value', format, "'json', 'string' or 'bytes'");
    const maxBytes = options.maxMessageBytes ?? 1 << 20;
    requireInteger('Stream.fromMqtt', 'maxMessageBytes', maxBytes, 1);
    super(streamOptions);
    this.url = url;
    this.topicFilter = topicFilter;
    this.options = options;
    this.qos = qos;
    this.format = format;
    this.maxBytes = maxBytes;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    this.subscribed = { promise, resolve, reject };
  }

  /** Settles once the subscription is in place (the broker answered SUBACK), after `start()`. */
  get ready(): Promise<void> {
    return this.subscribed.promise;
  }

  protected async run(signal: AbortSignal): Promise<void> {
    const mqtt = await importOptional('mqtt', 'Stream.fromMqtt', () => import('mqtt'));
    const o = this.options;
    const where = scrubMqtt(this.url, { url: this.url, ...(o.password ? { password: o.password } : {}) });
    const options: IClientOptions = {
      protocolVersion: o.protocolVersion ?? 4,
      connectTimeout: toMillis(o.connectTimeout ?? 10_000, 'Stream.fromMqtt: connectTimeout'),
      reconnectPeriod: toMillis(o.reconnectPeriod ?? 1000, 'Stream.fromMqtt: reconnectPeriod'),
      keepalive: o.keepalive ?? 30,
      clean: o.clean ?? true,
      // Re-subscribed by the client after a reconnection; with a resumed session the broker keeps it anyway.
      resubscribe: true,
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
    };
    const client: Client = mqtt.connect(this.url, options);
    let failure: unknown = null;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    // The hook mqtt.js calls for every message before it sends PUBACK (QoS 1) and before it reads the next one.
    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      this.onMessage(packet, callback, where).catch((e) => {
        failure ??= e;
        finish();
      });
    };
    client.on('error', () => {}); // reconnection is the client's; a refused subscription fails below
    client.once('connect', () => {
      client.subscribe(this.topicFilter, { qos: this.qos }, (error, granted) => {
        const refused = granted?.find((g) => g.qos === 128);
        if (error || refused) {
          const e = new TwinstreamError(
            'TS_MQTT_SUBSCRIBE',
            `subscribing to "${this.topicFilter}" on ${where} failed: ${error ? error.message : 'refused by the broker'}`,
          );
          this.subscribed.reject(e);
          failure ??= e;
          finish();
        } else this.subscribed.resolve();
      });
    });
    signal.addEventListener('abort', () => finish(), { once: true });
    await finished;
    // Closed at once: a message still in work gets no PUBACK, and the broker sends it again when the client reconnects
    // with its stored session (clean: false), so nothing is lost.
    await client.endAsync(true);
    if (failure !== null) throw failure;
  }

  private async onMessage(packet: IPublishPacket, callback: (error?: Error) => void, where: string): Promise<void> {
    const payload = packet.payload as Buffer;
    const from = `${where} ${packet.topic}`;
    if (payload.length > this.maxBytes) {
      this.reject(
        'too-large',
        `message of ${payload.length} bytes on "${packet.topic}" exceeds maxMessageBytes ${this.maxBytes}`,
        from,
        payload,
      );
      callback();
      return;
    }
    const decoded = decodePayload(payload, this.format);
    if (decoded.error !== undefined) {
      this.reject(decoded.reason, `message on "${packet.topic}": ${decoded.error}`, from, payload);
      callback();
      return;
    }
    const record: MqttRecord<V> = {
      topic: packet.topic,
      value: decoded.value as V,
      qos: packet.qos,
      retain: packet.retain,
    };
    if (this.qos === 0 || packet.qos === 0) {
      const r = this.deliver(record);
      if (r !== undefined) await r;
      callback();
      return;
    }
    let settled!: (error: unknown) => void;
    const acknowledged = new Promise<unknown>((r) => (settled = r));
    const ack = new Acknowledgement(settled);
    const r = this.deliver(record, ack);
    if (r !== undefined) await r;
    ack.seal();
    const error = await acknowledged;
    if (error !== undefined) throw error;
    callback();
  }
}
