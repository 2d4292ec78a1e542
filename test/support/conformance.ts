// Reads the conformance vectors that ../shared/conformance/ holds (facts recorded from the peers' own code).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CONFORMANCE_DIR = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));

export interface Vector {
  id: string;
  [field: string]: any;
}

/** Every vector of one file, by id. */
export function loadVectors(file: string): Map<string, Vector> {
  const text = readFileSync(`${CONFORMANCE_DIR}${file}`, 'utf8');
  const out = new Map<string, Vector>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const v = JSON.parse(line) as Vector;
    if (typeof v.id !== 'string') throw new Error(`${file}:${i + 1}: vector without an id`);
    out.set(v.id, v);
  }
  return out;
}
