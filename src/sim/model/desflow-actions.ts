import { camelPath, type Data, type DesflowReader, type Path } from './desflow-reader.ts';

/**
 * A blueprint's actions (the `on:` of a task or a signal): `fire` (with a value, or `from` an outcome, `after` a
 * delay, `urgent`), `spawn`, `interrupt`, and `{ path, value }` registry updates.
 *
 * @internal
 */
export function desflowActions(rd: DesflowReader, list: unknown, path: Path): Data[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) rd.fail(path, 'expected a list of actions');
  return (list as unknown[]).map((a0, i) => {
    const a = rd.obj(a0, [...path, i]);
    if (a.fire !== undefined && a.fire !== null) {
      const f = rd.obj(a.fire, [...path, i, 'fire']);
      const from = f.from === undefined || f.from === null ? undefined : f.from;
      return {
        fire: {
          signal: f.signal,
          // desflow fires `from` an outcome when it has one, and its value otherwise.
          ...(from !== undefined ? { from } : f.value === undefined ? {} : { value: f.value }),
          ...(f.after === undefined || f.after === null
            ? {}
            : { after: rd.seconds(f.after, [...path, i, 'fire', 'after']) }),
          ...(f.urgent === true ? { urgent: true } : {}),
        },
      };
    }
    if (a.spawn !== undefined && a.spawn !== null) return { spawn: desflowSpawn(rd, a.spawn, [...path, i, 'spawn']) };
    if (a.interrupt !== undefined && a.interrupt !== null) return { interrupt: desflowInterrupt(a.interrupt) };
    return { path: camelPath(a.path as string), value: a.value };
  });
}

/** A `spawn`: the task a new entity starts at, `after` a delay. @internal */
export function desflowSpawn(rd: DesflowReader, s0: unknown, path: Path): Data {
  const s = rd.obj(s0, path);
  return {
    task: s.task,
    ...(s.after === undefined || s.after === null ? {} : { after: rd.seconds(s.after, [...path, 'after']) }),
  };
}

/** An `interrupt`: a task's running instances (those `where` holds), with a `cause`. @internal */
export function desflowInterrupt(i0: unknown): Data {
  const i = i0 as Data;
  return {
    task: i.task,
    ...(i.where === undefined || i.where === null ? {} : { where: i.where }),
    ...(i.cause === undefined || i.cause === null ? {} : { cause: i.cause }),
  };
}
