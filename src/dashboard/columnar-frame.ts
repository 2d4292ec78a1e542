import type { SeriesRing } from './series-ring.ts';

/**
 * The first word of a binary frame of new points (little-endian u32).
 *
 * @example
 * import { POINTS_FRAME } from 'twinstream/dashboard';
 * new DataView(frame.buffer, frame.byteOffset).getUint32(0, true) === POINTS_FRAME; // true
 */
export const POINTS_FRAME = 1;

/**
 * Encodes the points of `rings` that a client has not seen (`seen[i]` points of ring `i`) as one binary frame,
 * little-endian and 8-byte aligned so the page reads the columns as `Float64Array` views without copying:
 * `u32 type (1) | u32 series count`, then per series with new points `u32 series index | u32 n | f64 times[n] |
 * f64 values[n]`. Updates `seen`. Returns null when nothing is new.
 *
 * @example
 * import { encodePointsFrame, SeriesRing } from 'twinstream/dashboard';
 * const ring = new SeriesRing('temperature', 100);
 * ring.add(Date.now(), 21.5);
 * const frame = encodePointsFrame([ring], [0]); // 8 + 8 + 16 bytes
 */
export function encodePointsFrame(rings: readonly SeriesRing[], seen: number[]): Uint8Array | null {
  let bytes = 8;
  let count = 0;
  for (let i = 0; i < rings.length; i++) {
    const n = rings[i]!.pending(seen[i]!);
    if (n > 0) {
      bytes += 8 + 16 * n;
      count++;
    }
  }
  if (count === 0) return null;
  const buffer = new ArrayBuffer(bytes);
  const words = new DataView(buffer);
  words.setUint32(0, POINTS_FRAME, true);
  words.setUint32(4, count, true);
  let offset = 8;
  for (let i = 0; i < rings.length; i++) {
    const ring = rings[i]!;
    const n = ring.pending(seen[i]!);
    if (n === 0) continue;
    words.setUint32(offset, i, true);
    words.setUint32(offset + 4, n, true);
    const t = new Float64Array(buffer, offset + 8, n);
    const v = new Float64Array(buffer, offset + 8 + 8 * n, n);
    ring.copySince(seen[i]!, t, v, 0);
    seen[i] = ring.written;
    offset += 8 + 16 * n;
  }
  return new Uint8Array(buffer);
}

/**
 * Decodes a frame of `encodePointsFrame` (what the page does, for programs and tests that read the stream).
 *
 * @example
 * import { decodePointsFrame } from 'twinstream/dashboard';
 * for (const { series, times, values } of decodePointsFrame(frame)) console.log(series, values.length);
 */
export function decodePointsFrame(frame: Uint8Array): { series: number; times: Float64Array; values: Float64Array }[] {
  // Copied when the view is not 8-byte aligned (a Node Buffer from a pool usually is not).
  const bytes = frame.byteOffset % 8 === 0 ? frame : frame.slice();
  const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { series: number; times: Float64Array; values: Float64Array }[] = [];
  if (bytes.byteLength < 8 || words.getUint32(0, true) !== POINTS_FRAME) return out;
  const count = words.getUint32(4, true);
  let offset = 8;
  for (let k = 0; k < count && offset + 8 <= bytes.byteLength; k++) {
    const series = words.getUint32(offset, true);
    const n = words.getUint32(offset + 4, true);
    if (offset + 8 + 16 * n > bytes.byteLength) break;
    const base = bytes.byteOffset + offset + 8;
    out.push({
      series,
      times: new Float64Array(bytes.buffer, base, n),
      values: new Float64Array(bytes.buffer, base + 8 * n, n),
    });
    offset += 8 + 16 * n;
  }
  return out;
}
