import { MqttClient, type MqttConnection, type MqttMessage } from '../../connectors/mqtt/client.ts';
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
  qos?: 0 | 1 | 2;
  /** Where rejected messages are republished, as JSON `{ source, code, reason, payload }`. Default: none. */
  deadLetterTopic?: string;
  /** Share a connected client (not closed by `stop()`); otherwise the ingress makes its own. */
  client?: MqttClient;
}

/**
 * Live parameter updates over MQTT: each message on `topic` is JSON `{ path, value }` (or `{ path_id, value }`, an
 * array of them, or a bare value whose path is the topic below the filter's `/#`), applied through
 * `registry.update(path, value)`; a running simulation reacts at once. A bad message is rejected with its reason
 * (counted, kept, republished to `deadLetterTopic` when set) and the subscription goes on.
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
  readonly client: MqttClient;
  private readonly ownsClient: boolean;
  private readonly prefix: string | null;
  private readonly qos: 0 | 1 | 2;
  private readonly deadLetterTopic: string | null;

  constructor(registry: ParameterRegistry, options: MqttIngressOptions) {
    super(registry, options);
    const topic = options.topic ?? 'twinstream/params/#';
    if (typeof topic !== 'string' || topic === '')
      badArgument('MqttParameterIngress', 'topic', topic, 'a topic filter');
    this.topic = topic;
    this.prefix = topic.endsWith('/#') ? topic.slice(0, -1) : null;
    this.qos = options.qos ?? 1;
    this.deadLetterTopic = options.deadLetterTopic ?? null;
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new MqttClient(options);
  }

  /** Connects and subscribes; resolves when the broker granted the subscription. */
  async start(): Promise<void> {
    await this.client.subscribe(this.topic, (m) => this.onMessage(m), { qos: this.qos });
  }

  /** Disconnects (when the ingress made the client). */
  async stop(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private onMessage(m: MqttMessage): void {
    let path: string | undefined;
    if (this.prefix !== null && m.topic.startsWith(this.prefix) && m.topic.length > this.prefix.length) {
      path = m.topic.slice(this.prefix.length).split('/').join('.');
    }
    const before = this.counters.rejected;
    this.handle(m.payload, `mqtt:${m.topic}`, path);
    const rejected = this.counters.rejected - before;
    if (rejected === 0 || this.deadLetterTopic === null) return;
    for (const r of this.rejections.slice(-rejected)) {
      // Best effort: a dead letter that cannot be published must not stop the subscription.
      this.client.publish(this.deadLetterTopic, JSON.stringify(r), { qos: 0 }).catch(() => {});
    }
  }
}
