import { vegaLiteSvg } from '../vega-svg.ts';
import type { ExperimentResult } from './run-experiment.ts';

/** A report of an experiment: Markdown (charts as files beside it), HTML (charts inline) and the charts' SVG. */
export interface ExperimentReport {
  markdown: string;
  html: string;
  /** One chart per measure: `file` is the name the Markdown links to. */
  charts: { measure: string; file: string; svg: string }[];
}

const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x));
const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * The report of an experiment (`twinstream sim report`): per measure, a chart of each variant's mean with its
 * confidence interval (vega-lite, rendered to SVG on the server) and a table; the paired differences on common
 * random numbers; the checks with PASS or FAIL.
 *
 * @example
 * const report = await experimentReport(await runExperiment('capacity.yaml'), 'Capacity study');
 * await writeFile('report.html', report.html);
 */
export async function experimentReport(r: ExperimentResult, title: string): Promise<ExperimentReport> {
  const pct = `${Math.round(r.level * 1000) / 10} %`;
  const measures = r.variants[0]?.summary.measures.map((m) => m.name) ?? [];
  const charts: ExperimentReport['charts'] = [];
  const md: string[] = [`# ${title}`, ''];
  const html: string[] = [];
  const n = r.variants[0]?.summary.runs.length ?? 0;
  const intro = `${r.variants.length} variants × ${n} replications on common seeds; intervals at ${pct}.`;
  md.push(intro, '');
  html.push(`<h1>${escapeHtml(title)}</h1>`, `<p>${escapeHtml(intro)}</p>`);
  for (const [i, name] of measures.entries()) {
    const rows = r.variants.map((v) => {
      const m = v.summary.measures.find((x) => x.name === name)!;
      return { variant: v.name, mean: m.mean, low: m.low, high: m.high, halfWidth: m.halfWidth };
    });
    const svg = await vegaLiteSvg(
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: name,
        width: 480,
        height: 30 * rows.length,
        data: { values: rows },
        encoding: { y: { field: 'variant', type: 'nominal', sort: null, title: null } },
        layer: [
          {
            mark: { type: 'bar', opacity: 0.6 },
            encoding: { x: { field: 'mean', type: 'quantitative', title: name } },
          },
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
          },
        ],
      },
      'sim report',
    );
    const file = `chart-${i + 1}.svg`;
    charts.push({ measure: name, file, svg });
    md.push(`## ${name}`, '', `![${name}](${file})`, '', `| variant | mean | ± (${pct}) |`, '| --- | ---: | ---: |');
    for (const row of rows) md.push(`| ${row.variant} | ${num(row.mean)} | ${num(row.halfWidth)} |`);
    md.push('');
    html.push(`<h2>${escapeHtml(name)}</h2>`, svg, '<table><tr><th>variant</th><th>mean</th><th>±</th></tr>');
    for (const row of rows) {
      html.push(`<tr><td>${escapeHtml(row.variant)}</td><td>${num(row.mean)}</td><td>${num(row.halfWidth)}</td></tr>`);
    }
    html.push('</table>');
  }
  if (r.comparisons.length > 0) {
    md.push(
      '## Paired differences (b − a, common random numbers)',
      '',
      '| b − a | measure | mean | ± | |',
      '| --- | --- | ---: | ---: | --- |',
    );
    html.push(
      '<h2>Paired differences (b − a, common random numbers)</h2>',
      '<table><tr><th>b − a</th><th>measure</th><th>mean</th><th>±</th><th></th></tr>',
    );
    for (const c of r.comparisons) {
      for (const d of c.differences) {
        const verdict = d.significant ? 'significant' : 'not significant';
        md.push(`| ${c.b} − ${c.a} | ${d.measure} | ${num(d.mean)} | ${num(d.halfWidth)} | ${verdict} |`);
        html.push(
          `<tr><td>${escapeHtml(`${c.b} − ${c.a}`)}</td><td>${escapeHtml(d.measure)}</td><td>${num(d.mean)}</td><td>${num(d.halfWidth)}</td><td>${verdict}</td></tr>`,
        );
      }
    }
    md.push('');
    html.push('</table>');
  }
  if (r.checks.length > 0) {
    md.push('## Checks', '');
    html.push('<h2>Checks</h2>', '<ul>');
    for (const c of r.checks) {
      const line = `${c.passed ? 'PASS' : 'FAIL'} ${c.variantName}: ${c.measure} ${c.op} ${c.value} (mean ${num(c.actual)})`;
      md.push(`- ${line}`);
      html.push(`<li>${escapeHtml(line)}</li>`);
    }
    md.push('');
    html.push('</ul>');
  }
  const page = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:right}td:first-child,th:first-child{text-align:left}</style>\n</head><body>\n${html.join('\n')}\n</body></html>\n`;
  return { markdown: md.join('\n'), html: page, charts };
}
