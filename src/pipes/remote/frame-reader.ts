import { TwinstreamError } from '../../errors.ts';
import { HEADER_BYTES } from './wire.ts';

/**
 * Cuts a byte stream into frames, however the network split it. Each frame comes out in its own 8-aligned buffer
 * (the one copy on the receiving side). A frame announced larger than `maxFrameBytes` is refused before any of it is
 * buffered, so a peer cannot make us allocate at will.
 */
export class FrameReader {
  readonly #max: number;
  readonly #header = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  #frame: Uint8Array | null = null;
  #fill = 0;

  constructor(maxFrameBytes: number) {
    this.#max = maxFrameBytes;
  }

  /** True while part of a frame has arrived and the rest has not. */
  get partial(): boolean {
    return this.#headerFill > 0 || this.#frame !== null;
  }

  /** Feeds bytes; calls `onFrame` for every completed frame (kind at byte 4). */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#frame === null) {
        const k = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - at);
        this.#header.set(chunk.subarray(at, at + k), this.#headerFill);
        this.#headerFill += k;
        at += k;
        if (this.#headerFill < HEADER_BYTES) return;
        const body = new DataView(this.#header.buffer).getUint32(0, true);
        if (body + HEADER_BYTES > this.#max) {
          throw new TwinstreamError(
            'TS_PIPE_FRAME',
            `frame of ${body + HEADER_BYTES} bytes is larger than maxFrameBytes = ${this.#max}`,
          );
        }
        // Own buffer (aligned views), not zero-filled: every byte is copied in before use.
        this.#frame = Buffer.allocUnsafeSlow(HEADER_BYTES + body);
        this.#frame.set(this.#header);
        this.#fill = HEADER_BYTES;
        this.#headerFill = 0;
      }
      const f = this.#frame;
      const k = Math.min(f.length - this.#fill, chunk.length - at);
      f.set(chunk.subarray(at, at + k), this.#fill);
      this.#fill += k;
      at += k;
      if (this.#fill === f.length) {
        this.#frame = null;
        onFrame(f);
      }
    }
  }
}
