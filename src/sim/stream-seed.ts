/**
 * The seed words of one path's random stream: the run's seed, then two 32-bit FNV-1a hashes of the path's UTF-16
 * code units (two offsets, so two paths collide only if both hashes do). The Mersenne Twister takes them as an
 * array seed (init_by_array), so streams of different paths are unrelated, and a path's stream depends on nothing
 * but the seed and the path.
 *
 * @example
 * streamSeed(42, 'Line_A.service.milling'); // Uint32Array [42, …, …]
 * @internal
 */
export function streamSeed(seed: number, path: string): Uint32Array {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
    b = Math.imul(b ^ (b >>> 15), 0x2c1b3c6d);
  }
  return Uint32Array.of(seed >>> 0, a >>> 0, b >>> 0);
}
