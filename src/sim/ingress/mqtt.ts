import { MqttClient, type MqttConnection } from '../../connectors/mqtt/client.ts';
import { type MqttRecord, MqttSource } from '../../connectors/mqtt/mqtt-source.ts';
import { badArgument } from '../../errors.ts';
import type { ParameterRegistry } from '../parameters.ts';
import { type IngressCallbacks, ParameterIngress } from './ingress.ts';

/** Options of `MqttParameterIngress`. */
export interface MqttIngressOptions extends MqttConnection, IngressCallbacks {
  /**
   * The topic filter of updates (default `'twinstream/params/#'`). When it ends in `/#`, the rest of a message's
   * topic names the path of a bare value: `twinstream/params/Line_A/arrival/standard/rate` ← `3`.
   */
  topic?: string;
  /** QoS of the subscription: 1 (the default: a message is acknowledged once its updates are applied) or 0. */
  qos?: 0 | 1;
  /** Where rejected messages are republished, as JSON `{ source, code, reason, payload }`. Default: none. */
  deadLetterTopic?: string;
  /** A connected client to publish dead letters through (not closed by `stop()`); otherwise one is made. */
  client?: MqttClient;
}

/**
 * Live parameter updates over MQTT, read by the general MQTT source (`Stream.fromMqtt`: reconnection,
 * re-subscription, PUBACK once the message's updates are applied, oversized payloads refused). Each message on
 * `topic` is JSON `{ path, value }` (or `{ path_id, value }`, an array of them, or a bare value whose path is the
 * topic below the filter's `/#`), applied through `registry.update(path, value)`; a running simulation reacts at
 * once. A bad message is rejected with its reason (counted, kept, republished to `deadLetterTopic` when set) and
 * the subscription goes on.
 *
 * @example
 * const ingress = new MqttParameterIngress(env.registry, { url: 'mqtt://127.0.0.1:1883', topic: 'plant/params/#' });
 * await ingress.start(); // subscribed
 * // mosquitto_pub -t plant/params/Line_A/arrival/standard/rate -m 3
 * await env.run({ until: 3600 });
 * await ingress.stop();
 */
export class MqttParameterIngress extends ParameterIngress {
  readonly topic: string;
  /** The subscription: the general MQTT source, its payloads as bytes. */
  readonly source: MqttSource<Buffer>;
  private readonly connection: MqttConnection;
  private letters: MqttClient | null;
  private readonly ownsClient: boolean;
  private readonly prefix: string | null;
  private readonly deadLetterTopic: string | null;

  constructor(registry: ParameterRegistry, options: MqttIngressOptions) {
    super(registry, options);
    const topic = options.topic ?? 'twinstream/params/#';
    if (typeof topic !== 'string' || topic === '')
      badArgument('MqttParameterIngress', 'topic', topic, 'a topic filter');
    this.topic = topic;
    this.prefix = topic.endsWith('/#') ? topic.slice(0, -1) : null;
    this.deadLetterTopic = options.deadLetterTopic ?? null;
    this.connection = options;
    this.ownsClient = options.client === undefined;
    this.letters = options.client ?? null;
    const { url, qos, topic: _t, deadLetterTopic: _d, client: _c, onApply: _a, onReject: _r, ...rest } = options;
    this.source = new MqttSource<Buffer>(url, topic, { ...rest, qos: qos ?? 1, value: 'bytes' });
    this.source.sink((m) => this.onMessage(m));
    // A payload over the source's cap never reaches the sink: rejected all the same.
    this.source.malformedInput().sink((m) => {
      this.counters.received++;
      this.reject(`mqtt:${m.from.split(' ').pop()}`, 'TS_SIM_BAD_UPDATE', m.message, String(m.sample ?? ''));
      this.deadLetter(1);
    });
  }

  /** Connects and subscribes; resolves when the broker granted the subscription. */
  async start(): Promise<void> {
    this.source.start();
    await Promise.race([this.source.ready, this.source.done]);
  }

  /** Unsubscribes and disconnects (the dead-letter client too, when the ingress made it). */
  async stop(): Promise<void> {
    this.source.stop();
    await this.source.done;
    if (this.ownsClient) await this.letters?.close();
  }

  private onMessage(m: MqttRecord<Buffer>): void {
    let path: string | undefined;
    if (this.prefix !== null && m.topic.startsWith(this.prefix) && m.topic.length > this.prefix.length) {
      path = m.topic.slice(this.prefix.length).split('/').join('.');
    }
    const before = this.counters.rejected;
    this.handle(m.value, `mqtt:${m.topic}`, path);
    this.deadLetter(this.counters.rejected - before);
  }

  /** Republishes the last `n` rejections to the dead-letter topic, if any. */
  private deadLetter(n: number): void {
    if (n === 0 || this.deadLetterTopic === null) return;
    // Its own client id: a broker disconnects the older of two connections that share one.
    const c = this.connection;
    this.letters ??= new MqttClient({ ...c, ...(c.clientId === undefined ? {} : { clientId: `${c.clientId}-dlq` }) });
    for (const r of this.rejections.slice(-n)) {
      // Best effort: a dead letter that cannot be published must not stop the subscription.
      this.letters.publish(this.deadLetterTopic, JSON.stringify(r), { qos: 0 }).catch(() => {});
    }
  }
}
