import type { Block } from '../block.ts';
import type { Layout } from '../layout.ts';

// A stored chunk: the row count (float64), the timestamps (float64 each), then the data in the layout's type, all
// in host byte order. Float64 first keeps every part 8-aligned when the chunk is decoded from its own buffer.
export function encodeChunk(block: Block): Uint8Array {
  const n = block.timestamps.length;
  const out = new Uint8Array(8 + n * 8 + block.data.byteLength);
  new Float64Array(out.buffer, 0, 1)[0] = n;
  out.set(new Uint8Array(block.timestamps.buffer, block.timestamps.byteOffset, n * 8), 8);
  out.set(new Uint8Array(block.data.buffer, block.data.byteOffset, block.data.byteLength), 8 + n * 8);
  return out;
}

export function decodeChunk(layout: Layout, bytes: Uint8Array): Block {
  // Copy into an aligned buffer of our own (the database hands out views into its pages).
  const own = new Uint8Array(bytes.length);
  own.set(bytes);
  const n = new Float64Array(own.buffer, 0, 1)[0]!;
  return {
    timestamps: new Float64Array(own.buffer, 8, n),
    data: new layout.DataArray(own.buffer, 8 + n * 8, n * layout.width),
  };
}
