import { desflowActions, desflowInterrupt, desflowSpawn } from './desflow-actions.ts';
import { type Data, type DesflowReader, type Path, PYTHON } from './desflow-reader.ts';
import { desflowRunning, desflowTransfer, desflowWait } from './desflow-wait.ts';

// Fields a task keeps as they are, under twinstream's name.
const COPIED: [string, string][] = [
  ['service', 'service'],
  ['resource', 'resource'],
  ['payload', 'payload'],
  ['id_field', 'idField'],
  ['item_field', 'itemField'],
  ['attributes', 'attributes'],
  ['priority', 'priority'],
  ['balk', 'balk'],
  ['set', 'set'],
  ['signal', 'signal'],
  ['fail', 'fail'],
  ['fail_reason', 'failReason'],
  ['on_fail', 'onFail'],
  ['keep', 'keep'],
  ['preempt', 'preempt'],
  ['on_interrupt', 'onInterrupt'],
  ['on_interrupt_next', 'onInterruptNext'],
];

/**
 * A blueprint's task: its fields under twinstream's names, its patience (seconds, a duration or an expression),
 * get and put, `next` (a name, `when` rules with a default, or `weights`), wait, subscribe, spawn, interrupt and
 * actions (`stores`: the translated ones, to tell a priority store).
 *
 * @internal
 */
export function desflowTask(rd: DesflowReader, t: Data, path: Path, stores: Data): Data {
  if (t.payload !== undefined && (t.payload === null || typeof t.payload !== 'object'))
    rd.fail([...path, 'payload'], PYTHON);
  const out: Data = {};
  if (t.subscribe !== undefined && t.subscribe !== null) {
    const s = rd.obj(t.subscribe, [...path, 'subscribe']);
    if (typeof s.signal === 'string') out.subscribe = { signal: s.signal };
    else if (typeof s.task === 'string') out.subscribe = { task: s.task };
    else if (s.running !== undefined)
      out.subscribe = { running: desflowRunning(rd, s.running, [...path, 'subscribe', 'running']) };
    else rd.fail([...path, 'subscribe'], 'expected { signal } or { task }');
  }
  for (const [from, to] of COPIED) {
    const v = t[from];
    if (v === undefined || v === null) continue;
    if ((from === 'keep' || from === 'attributes') && Array.isArray(v) && v.length === 0) continue;
    if (from === 'set' && typeof v === 'object' && Object.keys(v).length === 0) continue;
    out[to] = v;
  }
  if (t.patience !== undefined && t.patience !== null) {
    const p = t.patience;
    out.patience = typeof p === 'string' && !/^\s*\d/.test(p) ? p : rd.seconds(p, [...path, 'patience']);
  }
  if (t.get !== undefined && t.get !== null) out.get = desflowTransfer(rd, t.get, [...path, 'get'], stores);
  if (t.put !== undefined && t.put !== null) out.put = desflowTransfer(rd, t.put, [...path, 'put'], stores);
  if (t.next !== undefined && t.next !== null) {
    const n = t.next;
    if (typeof n === 'string') out.next = n;
    else {
      const nn = rd.obj(n, [...path, 'next']);
      out.next =
        nn.weights !== undefined && nn.weights !== null
          ? { weights: nn.weights }
          : {
              when: nn.when ?? [],
              ...(nn.default === undefined || nn.default === null ? {} : { default: nn.default }),
            };
    }
  }
  if (t.wait !== undefined && t.wait !== null) out.wait = desflowWait(rd, t.wait, [...path, 'wait'], stores);
  if (t.spawn !== undefined && t.spawn !== null) out.spawn = desflowSpawn(rd, t.spawn, [...path, 'spawn']);
  if (t.interrupt !== undefined && t.interrupt !== null) out.interrupt = desflowInterrupt(t.interrupt);
  const on = desflowActions(rd, t.on, [...path, 'on']);
  if (on.length > 0) out.on = on;
  return out;
}
