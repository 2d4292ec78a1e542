import type { ExperimentResult } from './run-experiment.ts';

const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

/**
 * An experiment's result as lines of text: each measure by variant with its interval, the paired differences,
 * and the checks (PASS/FAIL).
 *
 * @example
 * for (const line of formatExperiment(result)) console.log(line);
 */
export function formatExperiment(r: ExperimentResult): string[] {
  const pct = `${Math.round(r.level * 1000) / 10}%`;
  const out: string[] = [];
  const measures = r.variants[0]?.summary.measures.map((m) => m.name) ?? [];
  for (const name of measures) {
    out.push(`${name}:`);
    const rows = [['variant', 'mean', `half-width (${pct})`]];
    for (const v of r.variants) {
      const m = v.summary.measures.find((x) => x.name === name)!;
      rows.push([v.name, num(m.mean), num(m.halfWidth)]);
    }
    out.push(...table(rows), '');
  }
  if (r.comparisons.length > 0) {
    out.push('paired differences (b − a, on common seeds):');
    const rows = [['b − a', 'measure', 'mean difference', `half-width (${pct})`, '']];
    for (const c of r.comparisons) {
      for (const d of c.differences) {
        rows.push([
          `${c.b} − ${c.a}`,
          d.measure,
          num(d.mean),
          num(d.halfWidth),
          d.significant ? 'significant' : 'not significant',
        ]);
      }
    }
    out.push(...table(rows), '');
  }
  if (r.checks.length > 0) {
    out.push('checks:');
    for (const c of r.checks) {
      out.push(
        `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.variantName}: ${c.measure} ${c.op} ${c.value} (mean ${num(c.actual)})`,
      );
    }
    out.push('');
  }
  const n = r.variants[0]?.summary.runs.length ?? 0;
  out.push(
    `${r.variants.length} variants × ${n} replications; ${r.checks.filter((c) => !c.passed).length} of ${r.checks.length} checks failed`,
  );
  return out;
}
