// Kafka record batches (message format v2) written straight into one buffer, and the Produce request around them.
//
// @platformatic/kafka builds every record as its own small buffer list and concatenates them (several copies per
// batch, one allocation per field), which costs more CPU than everything else on the produce path. This encoder
// measures the batch first, then writes it into one buffer: no per-record allocation. It is installed into the
// client in place of the client's Produce request builder (see installFastProduce), so the client keeps doing
// everything else: metadata, connections, retries, idempotent sequences, transactions.
//
// Format (https://kafka.apache.org/documentation/#recordbatch):
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 = 2 | crc uint32 (CRC-32C of
//   everything after it) | attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
//   producerId int64 | producerEpoch int16 | baseSequence int32 | records count int32 | records (compressed as
//   a whole when the attributes say so)
// Record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | key varint-length bytes
//   (-1: null) | value likewise | header count varint | per header: key varint-length bytes, value likewise.
// Varints are zig-zag encoded base-128, least significant group first.
import { badArgument, TwinstreamError } from '../../errors.ts';

/** @internal A message as the client hands it to the Produce request: bytes, a partition and a bigint (or number) time. */
export interface EncodableMessage {
  topic: string;
  partition?: number | undefined;
  key?: Buffer | null | undefined;
  /** Bytes, or a string written as UTF-8. */
  value?: Buffer | string | null | undefined;
  headers?: Map<Buffer, Buffer> | undefined;
  timestamp?: bigint | number | undefined;
}

/** @internal What the batch header needs besides the records. */
export interface RecordBatchOptions {
  /** Compresses the records section; returns the compressed bytes. */
  compress?: ((records: Buffer) => Buffer) | undefined;
  /** The compression's bits in the attributes (1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  compressionBits?: number;
  producerId?: bigint | undefined;
  producerEpoch?: number | undefined;
  baseSequence?: number;
  transactional?: boolean;
}

const HEADER = 61; // bytes from baseOffset to the records count, inclusive
const CRC_START = 21; // the CRC covers attributes … end
const TRANSACTIONAL = 0x10;

// Per-record scratch, reused between batches (the encoder is synchronous).
let bodySizes = new Int32Array(1024);
let deltas = new Float64Array(1024);
let textLengths = new Int32Array(1024); // UTF-8 length of a string value

let scratch = Buffer.allocUnsafeSlow(1 << 16);

/** Bytes of the zig-zag varint of n (an integer within ±2^52). */
function varintSize(n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  let size = 4;
  u = Math.floor(u / 0x10000000);
  while (u >= 1) {
    size++;
    u = Math.floor(u / 0x80);
  }
  return size;
}

/** Writes the zig-zag varint of n at pos; returns the position after it. */
function writeVarint(buf: Buffer, pos: number, n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  if (u < 0x80000000) {
    while (u >= 0x80) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[pos++] = u;
    return pos;
  }
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  buf[pos++] = u;
  return pos;
}

function bytesSize(b: Buffer | null | undefined): number {
  if (b === null || b === undefined) return 1;
  const n = b.length;
  return (n < 64 ? 1 : varintSize(n)) + n;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null | undefined): number {
  if (b === null || b === undefined) {
    buf[pos] = 1; // zig-zag of -1
    return pos + 1;
  }
  const n = b.length;
  if (n < 64) buf[pos++] = n * 2;
  else pos = writeVarint(buf, pos, n);
  if (n < 16) for (let i = 0; i < n; i++) buf[pos + i] = b[i]!;
  else buf.set(b, pos);
  return pos + n;
}

function timeOf(t: bigint | number | undefined, now: number): number {
  if (t === undefined) return now;
  const n = typeof t === 'number' ? Math.trunc(t) : Number(t);
  if (!Number.isSafeInteger(n)) {
    throw new TwinstreamError(
      'TS_BAD_TIMESTAMP',
      `a message timestamp must be milliseconds since the epoch, got ${String(t)}`,
      { context: { timestamp: String(t) } },
    );
  }
  return n;
}

/** Writes the records into buf at pos (their sizes measured before, in bodySizes and deltas); returns the end. */
function writeRecords(messages: readonly EncodableMessage[], buf: Buffer, pos: number): number {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    pos = writeVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0; // record attributes: none defined
    pos = writeVarint(buf, pos, deltas[i]!);
    if (i < 64) buf[pos++] = i * 2;
    else pos = writeVarint(buf, pos, i);
    pos = writeBytes(buf, pos, m.key);
    const v = m.value;
    if (typeof v === 'string') {
      const n = textLengths[i]!;
      if (n < 64) buf[pos++] = n * 2;
      else pos = writeVarint(buf, pos, n);
      if (n > 0) (buf as any).utf8Write(v, pos, n);
      pos += n;
    } else pos = writeBytes(buf, pos, v);
    const h = m.headers;
    if (h === undefined || h.size === 0) buf[pos++] = 0;
    else {
      pos = writeVarint(buf, pos, h.size);
      for (const [k, v] of h) {
        pos = writeBytes(buf, pos, k);
        pos = writeBytes(buf, pos, v);
      }
    }
  }
  return pos;
}

/**
 * Encodes messages (all of one topic partition) as one record batch with base offset 0, as a producer sends it.
 * `crc32c` is the checksum function (the client's: native when available).
 * @internal
 */
export function encodeRecordBatch(
  messages: readonly EncodableMessage[],
  options: RecordBatchOptions,
  crc32c: (data: Buffer) => number,
): Buffer {
  const count = messages.length;
  if (count === 0) badArgument('encodeRecordBatch', 'messages', messages, 'at least one message');
  if (bodySizes.length < count) {
    bodySizes = new Int32Array(count * 2);
    deltas = new Float64Array(count * 2);
    textLengths = new Int32Array(count * 2);
  }
  const now = Date.now();
  const base = timeOf(messages[0]!.timestamp, now);
  let max = base;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const m = messages[i]!;
    const t = timeOf(m.timestamp, now);
    if (t > max) max = t;
    const delta = t - base;
    deltas[i] = delta;
    let body = 1 + varintSize(delta) + (i < 64 ? 1 : varintSize(i)) + bytesSize(m.key);
    const v = m.value;
    if (typeof v === 'string') {
      const n = Buffer.byteLength(v, 'utf8');
      textLengths[i] = n;
      body += (n < 64 ? 1 : varintSize(n)) + n;
    } else body += bytesSize(v);
    const h = m.headers;
    if (h === undefined || h.size === 0) body += 1;
    else {
      body += varintSize(h.size);
      for (const [k, v] of h) body += bytesSize(k) + bytesSize(v);
    }
    bodySizes[i] = body;
    size += varintSize(body) + body;
  }

  let out: Buffer;
  let end: number;
  if (options.compress) {
    if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
    writeRecords(messages, scratch, 0);
    const packed = options.compress(scratch.subarray(0, size));
    out = Buffer.allocUnsafe(HEADER + packed.length);
    packed.copy(out, HEADER);
    end = HEADER + packed.length;
  } else {
    out = Buffer.allocUnsafe(HEADER + size);
    end = writeRecords(messages, out, HEADER);
  }
  out.writeBigInt64BE(0n, 0); // base offset: the broker assigns offsets
  out.writeInt32BE(end - 12, 8); // batch length: from the leader epoch on
  out.writeInt32BE(-1, 12); // partition leader epoch: the broker sets it
  out[16] = 2; // magic
  let attributes = options.compressionBits ?? 0;
  if (options.transactional) attributes |= TRANSACTIONAL;
  out.writeInt16BE(attributes, 21);
  out.writeInt32BE(count - 1, 23);
  out.writeBigInt64BE(BigInt(base), 27);
  out.writeBigInt64BE(BigInt(max), 35);
  out.writeBigInt64BE(options.producerId ?? -1n, 43);
  out.writeInt16BE(options.producerEpoch ?? -1, 51);
  out.writeInt32BE(options.baseSequence ?? -1, 53);
  out.writeInt32BE(count, 57);
  out.writeUInt32BE(crc32c(out.subarray(CRC_START, end)) >>> 0, 17);
  return out;
}

/**
 * Java-compatible murmur2 of a key (what Kafka's default partitioner hashes), in 32-bit integer arithmetic.
 * The partition of a keyed message is `(kafkaMurmur2(key) & 0x7fffffff) % partitions`.
 */
export function kafkaMurmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2]! << 16;
    if (rest >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}
