import { desflowActions, desflowInterrupt } from './desflow-actions.ts';
import { camelPath, type Data, type DesflowReader } from './desflow-reader.ts';

/**
 * A blueprint's `scenario`: timed steps that update a registry path, write a ground-truth `record` or interrupt a
 * task. Plain updates stay a parameter schedule; steps with a record or an interrupt make the model's scenario.
 *
 * @internal
 */
export function desflowScenario(rd: DesflowReader, blueprint: Data): { schedule?: Data[]; scenario?: Data[] } {
  const scenario = blueprint.scenario;
  if (!Array.isArray(scenario) || scenario.length === 0) return {};
  const steps = scenario.map((s0, i) => {
    const s = rd.obj(s0, ['scenario', i]);
    const record =
      s.record === undefined || s.record === null ? undefined : rd.obj(s.record, ['scenario', i, 'record']);
    return {
      at: rd.seconds(s.at, ['scenario', i, 'at']),
      ...(s.path === undefined || s.path === null ? {} : { path: camelPath(s.path as string), value: s.value }),
      ...(record === undefined ? {} : { record }),
      ...(s.interrupt === undefined || s.interrupt === null ? {} : { interrupt: desflowInterrupt(s.interrupt) }),
    };
  });
  return steps.some((s) => s.record !== undefined || s.interrupt !== undefined)
    ? { scenario: steps }
    : { schedule: steps };
}

/** A blueprint's `signals`: a list of names, or a mapping of names to `{ once, on }`. @internal */
export function desflowSignals(rd: DesflowReader, blueprint: Data): Data | undefined {
  const signals = blueprint.signals;
  if (Array.isArray(signals)) return Object.fromEntries(signals.map((s) => [s, {}]));
  if (signals === undefined || signals === null) return undefined;
  return Object.fromEntries(
    Object.entries(rd.obj(signals, ['signals'])).map(([k, s0]) => {
      const s = rd.obj(s0, ['signals', k]);
      const on = desflowActions(rd, s.on, ['signals', k, 'on']);
      return [k, { ...(s.once === true ? { once: true } : {}), ...(on.length > 0 ? { on } : {}) }];
    }),
  );
}
