import type { Explanation } from './explain-model.ts';
import type { Verification } from './verify-explanation.ts';

const num = (x: number): string =>
  x === Number.POSITIVE_INFINITY ? '∞' : Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
const pct = (x: number): string => (x === Number.POSITIVE_INFINITY ? '∞' : `${(x * 100).toFixed(1)}%`);

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

/**
 * An explanation as lines of text: the flow graph, a table of resources (with simulated figures beside the
 * formulas when a verification is given), throughput per flow, the bottleneck, hints and notes.
 *
 * @example
 * for (const line of formatExplanation(explainModel(spec))) console.log(line);
 */
export function formatExplanation(e: Explanation, v?: Verification): string[] {
  const out: string[] = [`model ${e.simId}`, '', 'flow graph:'];
  for (const f of e.flows) {
    const steps = f.steps.map((s) => (s.resource === null ? s.task : `${s.task} @ ${s.resource}`));
    out.push(
      `  ${f.name}: arrival ${f.arrival} (λ = ${num(f.arrivalRate)}/t, ca² = ${num(f.arrivalScv)}) → ${steps.join(' → ')} → done`,
    );
  }
  out.push('', 'resources:');
  const head = ['resource', 'c', 'λ', 'E[S]', 'cs²', 'ca²', 'ρ', 'Wq Erlang C', 'Wq Kingman', 'Lq', 'status'];
  if (v !== undefined) head.push('ρ simulated', 'Wq simulated', 'Lq simulated');
  const rows = [head];
  for (const r of e.resources) {
    const row = [
      r.name,
      String(r.capacity),
      num(r.arrivalRate),
      num(r.serviceMean),
      num(r.serviceScv),
      num(r.arrivalScv),
      pct(r.utilization),
      num(r.waitErlangC),
      num(r.waitKingman),
      num(r.queueLength),
      r.stable ? (r.utilization > 0.85 ? 'busy' : 'ok') : 'UNSTABLE',
    ];
    if (v !== undefined) {
      const s = v.resources[r.name];
      const waits = r.tasks.map((t) => v.waits[t]).filter((w) => w !== undefined);
      const ci = (m: number, h: number, f: (x: number) => string) => `${f(m)} ± ${f(h)}`;
      row.push(
        s === undefined ? '-' : ci(s.utilization.mean, s.utilization.halfWidth, pct),
        waits.length === 1 ? ci(waits[0]!.mean, waits[0]!.halfWidth, num) : '-',
        s === undefined ? '-' : ci(s.queueLength.mean, s.queueLength.halfWidth, num),
      );
    }
    rows.push(row);
  }
  out.push(...table(rows));
  const b = e.resources.find((r) => r.name === e.bottleneck);
  if (b !== undefined && b.byUnits.length > 1) {
    out.push('', `${b.name} by units:`);
    const rows = [['units', 'ρ', 'Wq Kingman', 'status']];
    for (const u of b.byUnits) {
      rows.push([
        String(u.units),
        pct(u.utilization),
        num(u.waitKingman),
        u.utilization >= 1 ? 'UNSTABLE' : u.utilization > 0.85 ? 'busy' : 'ok',
      ]);
    }
    out.push(...table(rows));
  }
  out.push('', 'throughput (Jackson network):');
  for (const f of e.flows) {
    const cut = f.throughput < f.arrivalRate * (1 - 1e-12);
    out.push(
      `  ${f.name}: ${num(f.arrivalRate)}/t offered, ${num(f.throughput)}/t through${cut ? ' (cut by a saturated resource)' : ''}`,
    );
  }
  if (e.bottleneck !== null) {
    const b = e.resources.find((r) => r.name === e.bottleneck)!;
    out.push('', `bottleneck: ${b.name} (ρ = ${pct(b.utilization)})${b.stable ? '' : ' UNSTABLE'}`);
  }
  if (e.hints.length > 0) out.push('', 'hints:', ...e.hints.map((h) => `  ${h}`));
  if (e.notes.length > 0) out.push('', 'notes:', ...e.notes.map((n) => `  ${n}`));
  if (v !== undefined) {
    out.push(
      '',
      `simulated: ${v.replications} replications of ${num(v.until)} time units, ${Math.round(v.level * 100)}% intervals, ${v.wallSeconds.toFixed(2)} s wall`,
    );
  }
  return out;
}
