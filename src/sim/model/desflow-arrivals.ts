import { desflowDistribution } from './desflow-distribution.ts';
import { type Data, type DesflowReader, PYTHON } from './desflow-reader.ts';

/**
 * A blueprint's `arrivals`: each is a distribution (or a `replay` of a CSV or Parquet file's rows, at their
 * recorded times, with their columns as attributes) and a flow that starts at its `spawn` task with its
 * `attributes`.
 *
 * @internal
 */
export function desflowArrivals(rd: DesflowReader, blueprint: Data): { arrival: Data; flows: Data[] } {
  const arrival: Data = {};
  const flows: Data[] = [];
  for (const [name, a0] of Object.entries(rd.obj(blueprint.arrivals, ['arrivals']))) {
    const a = rd.obj(a0, ['arrivals', name]);
    if (a.replay !== undefined && a.replay !== null) {
      const r = rd.obj(a.replay, ['arrivals', name, 'replay']);
      if (typeof r.path !== 'string') rd.fail(['arrivals', name, 'replay', 'path'], 'expected the CSV or Parquet file');
      // desflow's defaults: a `time` column in seconds, every column an attribute, a row without a time an error.
      arrival[name] = {
        dist: 'replay',
        file: r.path,
        column: r.time ?? 'time',
        unit: r.unit ?? 's',
        fields: r.fields ?? 'all',
        onInvalid: r.on_invalid ?? 'error',
      };
    } else arrival[name] = desflowDistribution(rd, a, ['arrivals', name]);
    if (typeof a.spawn !== 'string')
      rd.fail(['arrivals', name, 'spawn'], `expected the task each arrival starts (${PYTHON} otherwise)`);
    const attributes = rd.obj(a.attributes, ['arrivals', name, 'attributes']);
    flows.push({
      name,
      arrival: name,
      // desflow keys an arrival's entities `<arrival>-<n>` from 1.
      entity: name,
      start: a.spawn,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    });
  }
  return { arrival, flows };
}
