import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimRecord } from '../telemetry.ts';
import type { EgressSink } from './egress.ts';
import { byStreamType, type PathRouter, routeBatch, SchemaGuard } from './schema.ts';

/** Options of JSON Lines storage. */
export interface JsonlStorageOptions {
  /** Where files go with the default router (default `'data'`). */
  directory?: string;
  /** Routes (and may reshape or drop) each record; default `<directory>/<stream_type>.jsonl`. */
  pathRouter?: PathRouter;
}

/**
 * Appends records as JSON Lines to local files chosen by a path router, one schema per file fixed by its first
 * batch. Directories are created as needed.
 *
 * @example
 * env.setupEgress([new JsonlStorageEgress({ pathRouter: (r) => (r.stream_type === 'event' ? 'out/events.jsonl' : null) })]);
 */
export class JsonlStorageEgress implements EgressSink {
  readonly name = 'jsonl';
  private readonly router: PathRouter;
  private readonly schemas = new Map<string, SchemaGuard>();

  constructor(options: JsonlStorageOptions = {}) {
    this.router = options.pathRouter ?? byStreamType(options.directory ?? 'data', '.jsonl');
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    for (const [path, records] of routeBatch(batch, this.router)) {
      let schema = this.schemas.get(path);
      if (schema === undefined) {
        schema = new SchemaGuard(path);
        await mkdir(dirname(path), { recursive: true });
      }
      schema.check(records);
      this.schemas.set(path, schema);
      let text = '';
      for (const rec of records) text += `${JSON.stringify(rec)}\n`;
      await appendFile(path, text);
    }
  }
}
