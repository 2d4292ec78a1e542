import { TwinstreamError } from '../../errors.ts';
import type { Block } from '../block.ts';
import type { DataArray, Layout } from '../layout.ts';

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
  // Its own ArrayBuffer (not Node's shared pool) so typed views of the body are aligned.
  const out = new Uint8Array(HEADER_BYTES + bodyBytes);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, bodyBytes, true);
  dv.setUint8(4, kind);
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
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
  // Outside data never becomes a prototype: copy the own fields into a null-prototype object.
  return Object.assign(Object.create(null), v);
}

// A row of `layout` as elements of its own typed array: the timestamp takes 8 / valueBytes of them. Every row
// size is a multiple of the value size (8 + width × valueBytes), so one view of the body's type reaches every value.
export function encodeData(layout: Layout, seq: number, block: Block): Uint8Array {
  const n = block.timestamps.length;
  const out = frame(FRAME.data, 8 + n * layout.rowBytes);
  const dv = new DataView(out.buffer);
  dv.setFloat64(HEADER_BYTES, seq, true);
  const vb = layout.valueBytes;
  const w = layout.width;
  const rowEls = layout.rowBytes / vb;
  const tsEls = 8 / vb;
  const body = new layout.DataArray(out.buffer, HEADER_BYTES + 8, n * rowEls) as any;
  const data = block.data as any;
  const ts = block.timestamps;
  for (let i = 0, o = HEADER_BYTES + 8, e = tsEls, d = 0; i < n; i++, o += layout.rowBytes, e += rowEls) {
    const t = ts[i]!;
    const hi = Math.floor(t / 4294967296);
    dv.setUint32(o, t - hi * 4294967296, true);
    dv.setInt32(o + 4, hi, true);
    for (let j = 0; j < w; j++) body[e + j] = data[d++];
  }
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
  const dv = new DataView(f.buffer, f.byteOffset, f.length);
  const seq = dv.getFloat64(HEADER_BYTES, true);
  const vb = layout.valueBytes;
  const w = layout.width;
  const rowEls = layout.rowBytes / vb;
  const body = new layout.DataArray(f.buffer, f.byteOffset + HEADER_BYTES + 8, n * rowEls) as any;
  const timestamps = new Float64Array(n);
  const data = new layout.DataArray(n * w) as any;
  for (let i = 0, o = HEADER_BYTES + 8, e = 8 / vb, d = 0; i < n; i++, o += layout.rowBytes, e += rowEls) {
    timestamps[i] = dv.getInt32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
    for (let j = 0; j < w; j++) data[d++] = body[e + j];
  }
  return { seq, block: { timestamps, data: data as DataArray } };
}
