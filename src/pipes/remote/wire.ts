import { TwinstreamError } from '../../errors.ts';
import type { Block } from '../block.ts';
import type { Layout } from '../layout.ts';

/**
 * The remote pipe protocol. Every frame is an 8-byte header — body length (uint32 LE), kind (uint8), 3 bytes of
 * padding so the body is 8-aligned — then the body. A data body is the sequence number (float64 LE) and the rows
 * as Joule puts them on its wire: each an int64 LE timestamp then the values, little-endian. Interval breaks and
 * the end are frames of their own, never rows.
 */
export const FRAME = {
  /** client → server, JSON: `{ v, role: 'write' | 'read', stream, layout, token?, session? }` */
  hello: 1,
  /** server → client, JSON: `{ acked }` (the last data/interval sequence number the server holds) */
  welcome: 2,
  data: 3,
  /** body: float64 sequence number */
  interval: 4,
  /** body: float64 sequence number */
  close: 5,
  /** server → writer, body: float64 sequence number, everything up to it is in the pipe */
  ack: 6,
  /** reader → server, body: float64 timestamp of the last row consumed */
  consumed: 7,
  /** JSON `{ code, message }`, then the sender closes the connection */
  error: 8,
} as const;

export const HEADER_BYTES = 8;

/** A frame with a body of `bodyBytes`, header filled in; the body is written by the caller. */
function frame(kind: number, bodyBytes: number): Uint8Array {
  // Its own ArrayBuffer (not Node's shared pool) so typed views of the body are aligned; not zero-filled, as every
  // byte but the padding is written.
  const out = Buffer.allocUnsafeSlow(HEADER_BYTES + bodyBytes);
  out.writeUInt32LE(bodyBytes, 0);
  out[4] = kind;
  out[5] = out[6] = out[7] = 0;
  return out;
}

export function encodeJson(kind: number, value: unknown): Uint8Array {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const out = frame(kind, bytes.length);
  out.set(bytes, HEADER_BYTES);
  return out;
}

export function encodeNumber(kind: number, n: number): Uint8Array {
  const out = frame(kind, 8);
  new DataView(out.buffer).setFloat64(HEADER_BYTES, n, true);
  return out;
}

export function decodeNumber(f: Uint8Array): number {
  return new DataView(f.buffer, f.byteOffset).getFloat64(HEADER_BYTES, true);
}

export function decodeJson(f: Uint8Array): Record<string, unknown> {
  const v = JSON.parse(new TextDecoder().decode(f.subarray(HEADER_BYTES)));
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new TwinstreamError('TS_PIPE_FRAME', 'a control frame does not hold a JSON object');
  // Outside data never becomes a prototype: copy the own fields into a null-prototype object.
  return Object.assign(Object.create(null), v);
}

// A row of `layout` as elements of its own typed array: the timestamp takes 8 / valueBytes of them. Every row
// size is a multiple of the value size (8 + width × valueBytes), so one view of the body's type reaches every
// value; the copies below are strided loops over typed arrays (no DataView call per value). Little-endian hosts only
// (every platform Node supports today), as the typed views read in host order.
export function encodeData(layout: Layout, seq: number, block: Block): Uint8Array {
  const n = block.timestamps.length;
  const out = frame(FRAME.data, 8 + n * layout.rowBytes);
  new DataView(out.buffer).setFloat64(HEADER_BYTES, seq, true);
  const rowEls = layout.rowBytes / layout.valueBytes;
  const body = new layout.DataArray(out.buffer, HEADER_BYTES + 8, n * rowEls);
  copyRows(body, 8 / layout.valueBytes, rowEls, block.data, 0, layout.width, n, layout.width);
  writeTimestamps(out, HEADER_BYTES + 8, layout.rowBytes, block.timestamps);
  return out;
}

export function decodeData(layout: Layout, f: Uint8Array): { seq: number; block: Block } {
  const bodyBytes = f.length - HEADER_BYTES - 8;
  if (bodyBytes < 0 || bodyBytes % layout.rowBytes !== 0) {
    throw new TwinstreamError(
      'TS_PIPE_FRAME',
      `data frame of ${bodyBytes} row bytes is not a whole number of ${layout.name} rows (${layout.rowBytes} bytes each)`,
    );
  }
  const n = bodyBytes / layout.rowBytes;
  const seq = new DataView(f.buffer, f.byteOffset, f.length).getFloat64(HEADER_BYTES, true);
  const rowEls = layout.rowBytes / layout.valueBytes;
  const body = new layout.DataArray(f.buffer, f.byteOffset + HEADER_BYTES + 8, n * rowEls);
  const data = new layout.DataArray(n * layout.width);
  copyRows(data, 0, layout.width, body, 8 / layout.valueBytes, rowEls, n, layout.width);
  const timestamps = new Float64Array(n);
  readTimestamps(f, f.byteOffset + HEADER_BYTES + 8, layout.rowBytes, timestamps);
  return { seq, block: { timestamps, data } };
}

function copyRows(
  dst: any,
  dAt: number,
  dStride: number,
  src: any,
  sAt: number,
  sStride: number,
  n: number,
  w: number,
) {
  for (let i = 0; i < n; i++, dAt += dStride, sAt += sStride) {
    for (let j = 0; j < w; j++) dst[dAt + j] = src[sAt + j];
  }
}

// int64 timestamps as two 32-bit words (exact for integers below 2^53): through 32-bit views when every row starts
// 4-aligned, else a DataView.
function writeTimestamps(out: Uint8Array, at: number, rowBytes: number, ts: Float64Array): void {
  const n = ts.length;
  if (rowBytes % 4 === 0) {
    const u32 = new Uint32Array(out.buffer, out.byteOffset + at, (n * rowBytes) / 4);
    const i32 = new Int32Array(out.buffer, out.byteOffset + at, (n * rowBytes) / 4);
    const words = rowBytes / 4;
    for (let i = 0, o = 0; i < n; i++, o += words) {
      const t = ts[i]!;
      const hi = Math.floor(t / 4294967296);
      u32[o] = t - hi * 4294967296;
      i32[o + 1] = hi;
    }
    return;
  }
  const dv = new DataView(out.buffer, out.byteOffset);
  for (let i = 0, o = at; i < n; i++, o += rowBytes) {
    const t = ts[i]!;
    const hi = Math.floor(t / 4294967296);
    dv.setUint32(o, t - hi * 4294967296, true);
    dv.setInt32(o + 4, hi, true);
  }
}

function readTimestamps(f: Uint8Array, at: number, rowBytes: number, ts: Float64Array): void {
  const n = ts.length;
  if (rowBytes % 4 === 0 && at % 4 === 0) {
    const u32 = new Uint32Array(f.buffer, at, (n * rowBytes) / 4);
    const i32 = new Int32Array(f.buffer, at, (n * rowBytes) / 4);
    const words = rowBytes / 4;
    for (let i = 0, o = 0; i < n; i++, o += words) ts[i] = i32[o + 1]! * 4294967296 + u32[o]!;
    return;
  }
  const dv = new DataView(f.buffer);
  for (let i = 0, o = at; i < n; i++, o += rowBytes)
    ts[i] = dv.getInt32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
}
