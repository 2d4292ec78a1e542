import { type Metadata, releaseRefs, retainRefs } from '../../core/refcount.ts';
import { type Pushed, Stream } from '../../core/stream.ts';
import { badArgument, requireInteger, TwinstreamError } from '../../errors.ts';
import { MqttClient, type MqttConnection } from './client.ts';

/** How `toMqtt` publishes. */
export interface ToMqttOptions<T = unknown> extends Omit<MqttConnection, 'url'> {
  /** Default 1: each element is held until the broker acknowledged it. */
  qos?: 0 | 1 | 2;
  retain?: boolean;
  /** The payload of an element: default a Buffer or string as it is, anything else as JSON. */
  payload?(x: T): string | Buffer;
  /** Publications awaiting their acknowledgement before the sink pushes back. Default 256. */
  maxInFlight?: number;
}

/**
 * A sink publishing every element to MQTT, on a fixed topic or one computed per element. An element stays held
 * (its reference counter retained) until the broker acknowledged it, so an upstream MQTT or Kafka source
 * acknowledges its input only once the output is with the broker. At most `maxInFlight` publications wait; past
 * that the sink pushes back. The end of the stream waits for every acknowledgement, then disconnects.
 *
 * @example
 * readings.toMqtt('mqtt://127.0.0.1:1883', (r) => `plant/${r.line}/temperature`, { qos: 1 });
 */
export class MqttSinkNode<T = unknown> extends Stream<unknown> {
  override kind = 'toMqtt';
  /** Publications acknowledged. */
  sent = 0;
  readonly client: MqttClient;
  // Typed loosely so that a sink of T stays usable as a sink of unknown (nodes are covariant in their element).
  private readonly topicOf: (x: any) => string;
  private readonly options: ToMqttOptions<any>;
  private readonly maxInFlight: number;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown = null;
  private connecting: Promise<void> | null = null;

  constructor(upstream: Stream<T>, url: string, topic: string | ((x: T) => string), options: ToMqttOptions<T> = {}) {
    if (typeof topic !== 'function' && (typeof topic !== 'string' || topic === '' || /[+#]/.test(topic)))
      badArgument('toMqtt', 'topic', topic, 'a topic name without wildcards, or a function of the element');
    const qos = options.qos ?? 1;
    if (qos !== 0 && qos !== 1 && qos !== 2) badArgument('toMqtt', 'qos', qos, '0, 1 or 2');
    const maxInFlight = options.maxInFlight ?? 256;
    requireInteger('toMqtt', 'maxInFlight', maxInFlight, 1);
    const client = new MqttClient({ ...options, url }); // validates the url; connects on the first element
    super({ clock: upstream.clock });
    this.client = client;
    this.topicOf = typeof topic === 'function' ? topic : () => topic;
    this.options = options;
    this.maxInFlight = maxInFlight;
    upstream.connect(this);
  }

  override update(x: unknown, _who?: Stream<any>, metadata?: Metadata): Pushed {
    if (this.failure !== null) throw this.failure;
    const topic = this.topicOf(x as T);
    if (typeof topic !== 'string' || topic === '' || /[+#]/.test(topic)) {
      throw new TwinstreamError('TS_UNSENDABLE_ELEMENT', `toMqtt: the topic of an element is ${JSON.stringify(topic)}`);
    }
    const payload = this.options.payload
      ? this.options.payload(x as T)
      : typeof x === 'string' || Buffer.isBuffer(x)
        ? x
        : JSON.stringify(x);
    retainRefs(metadata);
    this.connecting ??= this.client.connect();
    const p: Promise<void> = this.connecting
      .then(() =>
        this.client.publish(topic, payload, { qos: this.options.qos ?? 1, retain: this.options.retain ?? false }),
      )
      .then(
        () => {
          this.inFlight.delete(p);
          this.sent++;
          releaseRefs(metadata);
        },
        (error) => {
          this.inFlight.delete(p);
          // Held for good: the source never acknowledges it, so it comes again after a restart.
          this.failure ??= error;
          throw error;
        },
      );
    p.catch(() => {});
    this.inFlight.add(p);
    if (this.inFlight.size < this.maxInFlight) return;
    return Promise.race(this.inFlight);
  }

  /** Resolves when everything published so far is acknowledged. */
  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure !== null) throw this.failure;
  }

  override whenIdle(): Promise<void> | null {
    return this.inFlight.size === 0 ? null : this.flush();
  }

  protected override flushOnEnd(): Pushed {
    return this.flush().finally(() => this.client.close());
  }
}

declare module '../../core/stream.ts' {
  interface Stream<T> {
    /**
     * Publishes every element to MQTT (JSON unless a string or Buffer); each element held until the broker
     * acknowledged it. Returns the sink node.
     * @example readings.toMqtt('mqtt://127.0.0.1:1883', (r) => `plant/${r.line}/temp`, { qos: 1, retain: true })
     */
    toMqtt(url: string, topic: string | ((x: T) => string), options?: ToMqttOptions<T>): MqttSinkNode<T>;
  }
}

Stream.register(
  'toMqtt',
  function toMqtt(this: Stream<any>, url: string, topic: string | ((x: any) => string), options?: ToMqttOptions) {
    return new MqttSinkNode(this, url, topic, options);
  },
);
