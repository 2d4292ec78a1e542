// Puts twinstream's record-batch encoder (record-batch.ts) into a @platformatic/kafka producer: the client asks
// itself for the Produce API by name before every send (`[kGetApi]('Produce', callback)`); this wraps that lookup
// so that, for the request versions written here (9–11, the flexible ones Kafka 2.4+ speaks), the client gets an
// API that builds the request with our encoder and parses the answer with the client's own parser. Everything else
// (which messages, partitions, sequences, retries, transactions) stays the client's. When the lookup is not found
// (another client version) the producer keeps the client's encoder, and `fastProduceInstalled` says so.
import { type EncodableMessage, encodeRecordBatch, kafkaMurmur2 } from './record-batch.ts';

type Kafka = typeof import('@platformatic/kafka');
type Callback = (error: unknown, result?: any) => void;

/** The options the client passes to its Produce request builder. */
interface ProduceOptions {
  compression?: string;
  producerId?: bigint;
  producerEpoch?: number;
  sequences?: Map<string, number>;
  transactionalId?: string | null;
}

const VERSIONS = [9, 10, 11];
const installed = new WeakSet<object>();
const apis = new WeakMap<Kafka, Map<number, unknown>>();

/** @internal A symbol-keyed member of the client (its internal API lookup), found by the symbol's description. */
export function findSymbol(object: object, description: string): symbol | undefined {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o)) {
    const s = Object.getOwnPropertySymbols(o).find((x) => x.description === description);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** @internal Whether `installFastProduce` took effect on this client. */
export function fastProduceInstalled(client: object): boolean {
  return installed.has(client);
}

/** @internal Makes the client build its Produce requests with twinstream's encoder; returns whether it could. */
export function installFastProduce(kafka: Kafka, client: object): boolean {
  const getApi = findSymbol(client, 'plt.kafka.base.getApi');
  if (getApi === undefined || typeof (kafka as any).createAPI !== 'function') return false;
  const own = apisOf(kafka);
  if (own.size === 0) return false;
  const original = (client as any)[getApi] as (name: string, callback: Callback) => void;
  const older = new WeakMap<object, unknown>();
  (client as any)[getApi] = function getApiFast(this: unknown, name: string, callback: Callback): void {
    original.call(this, name, (error, api) => {
      if (error || name !== 'Produce') callback(error, api);
      else {
        let chosen = own.get(api.version);
        if (chosen === undefined) {
          // An older broker: its request version is the client's to write, from messages in the client's shape.
          chosen = older.get(api);
          if (chosen === undefined) {
            chosen = (
              connection: unknown,
              acks: number,
              timeout: number,
              messages: EncodableMessage[],
              ...rest: unknown[]
            ) => {
              for (const m of messages) toClientShape(m);
              api(connection, acks, timeout, messages, ...rest);
            };
            older.set(api, chosen);
          }
        }
        callback(null, chosen);
      }
    });
  };
  installed.add(client);
  return true;
}

function apisOf(kafka: Kafka): Map<number, unknown> {
  let own = apis.get(kafka);
  if (own) return own;
  own = new Map();
  const k = kafka as any;
  for (const v of VERSIONS) {
    const parse = k[`produceV${v}`]?.parseResponse;
    if (typeof parse !== 'function') continue;
    own.set(
      v,
      k.createAPI(
        0,
        v,
        (acks: number, timeout: number, messages: EncodableMessage[], options: ProduceOptions = {}) =>
          createProduceRequest(kafka, acks, timeout, messages, options),
        parse,
      ),
    );
  }
  apis.set(kafka, own);
  return own;
}

/**
 * Produce request v9–v11 (flexible): transactional_id acks timeout_ms [topic_data] TAG_BUFFER, topic_data: name
 * [partition_data] TAG_BUFFER, partition_data: index records TAG_BUFFER (records: a compact byte array).
 */
function createProduceRequest(
  kafka: Kafka,
  acks: number,
  timeout: number,
  messages: EncodableMessage[],
  options: ProduceOptions,
): unknown {
  const k = kafka as any;
  const byTopic = new Map<string, Map<number, EncodableMessage[]>>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    let partitions = byTopic.get(m.topic);
    if (partitions === undefined) {
      partitions = new Map();
      byTopic.set(m.topic, partitions);
    }
    const p = m.partition ?? 0;
    const list = partitions.get(p);
    if (list === undefined) partitions.set(p, [m]);
    else list.push(m);
  }
  let compress: ((b: Buffer) => Buffer) | undefined;
  let compressionBits = 0;
  const compression = options.compression ?? 'none';
  if (compression !== 'none') {
    const algorithm = k.compressionsAlgorithms[compression];
    if (!algorithm) throw new k.UnsupportedCompressionError(`Unsupported compression algorithm ${compression}`);
    compress = (b) => algorithm.compressSync(b);
    compressionBits = algorithm.bitmask;
  }
  const w = k.Writer.create().appendString(options.transactionalId).appendInt16(acks).appendInt32(timeout);
  w.appendUnsignedVarInt(byTopic.size + 1);
  for (const [topic, partitions] of byTopic) {
    w.appendString(topic).appendUnsignedVarInt(partitions.size + 1);
    for (const [partition, list] of partitions) {
      const records = encodeRecordBatch(
        list,
        {
          compress,
          compressionBits,
          producerId: options.producerId,
          producerEpoch: options.producerEpoch,
          baseSequence: options.sequences ? (options.sequences.get(`${topic}:${partition}`) ?? 0) : -1,
          transactional: Boolean(options.transactionalId),
        },
        k.crc32c,
      );
      w.appendInt32(partition)
        .appendUnsignedVarInt(records.length + 1)
        .append(records)
        .appendTaggedFields();
    }
    w.appendTaggedFields();
  }
  w.appendTaggedFields();
  if (acks === 0) w.context.noResponse = true;
  return w;
}

/**
 * Puts a message prepared for twinstream's encoder (string values, number timestamps) into the shape the client's
 * own encoder takes (bytes, bigint timestamps, no null value), in place.
 * @internal
 */
export function toClientShape(m: EncodableMessage): void {
  if (typeof m.value === 'string') m.value = Buffer.from(m.value);
  else if (m.value === null) m.value = undefined;
  if (typeof m.timestamp === 'number') m.timestamp = BigInt(m.timestamp);
}

/** Java-compatible key partitioning (as Kafka's default partitioner), with a 32-bit murmur2. */
export function murmur2Partitioner(_message: unknown, key: Buffer | undefined): number {
  return Buffer.isBuffer(key) ? kafkaMurmur2(key) & 0x7fffffff : 0;
}
