// Reads the conformance vectors: facts recorded from the peers' own code. The project's shared folder beside the
// repository is the source; test/conformance/ holds a copy so a clone of this repository alone runs the tests
// (test/architecture/conformance-copy.test.ts keeps the two equal).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));
export const COPY_DIR = fileURLToPath(new URL('../conformance/', import.meta.url));

export interface Vector {
  id: string;
  [field: string]: any;
}

/** The text of one vector file, from the shared folder if it is there, else from the copy. */
export function readVectorFile(file: string): string {
  const shared = `${SHARED_DIR}${file}`;
  return readFileSync(existsSync(shared) ? shared : `${COPY_DIR}${file}`, 'utf8');
}

/** Every vector of one file, by id. */
export function loadVectors(file: string): Map<string, Vector> {
  const out = new Map<string, Vector>();
  for (const [i, line] of readVectorFile(file).split('\n').entries()) {
    if (line.trim() === '') continue;
    const v = JSON.parse(line) as Vector;
    if (typeof v.id !== 'string') throw new Error(`${file}:${i + 1}: vector without an id`);
    out.set(v.id, v);
  }
  return out;
}
