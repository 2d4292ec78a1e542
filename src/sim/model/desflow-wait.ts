import type { Data, DesflowReader, Path } from './desflow-reader.ts';

/**
 * A task's `wait` in a blueprint: a timeout (with a value), any/all/at-least of named branches, a request, a get or
 * put, `running` instances; the others (signal, task, condition) read as they are.
 *
 * @internal
 */
export function desflowWait(rd: DesflowReader, w0: unknown, path: Path, stores: Data): Data {
  const w = rd.obj(w0, path);
  if (w.timeout !== undefined) {
    const t = w.timeout;
    if (t !== null && typeof t === 'object') {
      const tt = t as Data;
      return { timeout: { after: rd.seconds(tt.after, [...path, 'timeout', 'after']), value: tt.value ?? null } };
    }
    return { timeout: rd.seconds(t, [...path, 'timeout']) };
  }
  const group = (g: unknown, p: Path) =>
    Object.fromEntries(Object.entries(rd.obj(g, p)).map(([k, b]) => [k, desflowWait(rd, b, [...p, k], stores)]));
  if (w.any !== undefined) return { any: group(w.any, [...path, 'any']) };
  if (w.all !== undefined) return { all: group(w.all, [...path, 'all']) };
  if (w.at_least !== undefined) return { atLeast: w.at_least, of: group(w.of, [...path, 'of']) };
  if (w.request !== undefined) return { request: w.request };
  if (w.get !== undefined) return { get: desflowTransfer(rd, w.get, [...path, 'get'], stores) };
  if (w.put !== undefined) return { put: desflowTransfer(rd, w.put, [...path, 'put'], stores) };
  if (w.running !== undefined) return { running: desflowRunning(rd, w.running, [...path, 'running']) };
  return w;
}

/** A `running` reference: a task's instances of the entity (those `where` holds). @internal */
export function desflowRunning(rd: DesflowReader, r0: unknown, path: Path): Data {
  const r = rd.obj(r0, path);
  return { task: r.task, ...(r.where === undefined || r.where === null ? {} : { where: r.where }) };
}

/** A `get` or `put` on a container or store (`stores`: the translated ones, to tell a priority store). @internal */
export function desflowTransfer(rd: DesflowReader, x0: unknown, path: Path, stores: Data): Data {
  const x = rd.obj(x0, path);
  const out: Data = {};
  for (const k of ['container', 'store', 'amount', 'filter', 'wait'])
    if (x[k] !== undefined && x[k] !== null) out[k] = x[k];
  // desflow reads a priority only on a put into a priority store (and ranks by 0 when it is left out).
  const ranked = typeof x.store === 'string' && (stores[x.store] as Data | undefined)?.priority === true;
  if (ranked && path.at(-1) === 'put' && x.priority !== undefined && x.priority !== null) out.priority = x.priority;
  return out;
}
