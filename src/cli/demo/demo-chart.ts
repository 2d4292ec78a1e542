import { vegaLiteSvg } from '../../sim/vega-svg.ts';
import type { DemoWindow } from './run-demo.ts';

// A week of 1-minute windows is 10,080 points per sensor: more than a chart can show. Neighbouring windows are
// merged (min of mins, max of maxes, mean weighted by count) down to at most this many points per sensor.
const MAX_POINTS = 1500;

/**
 * Renders the windows as an SVG chart, one panel per sensor (its mean as a line over a band from min to max), with
 * vega-lite and vega on the server side (no DOM, no canvas). Both are optional peer dependencies, loaded here.
 *
 * @example
 * const svg = await renderChart(windows); // '<svg xmlns="http://www.w3.org/2000/svg" …'
 * @internal
 */
export async function renderChart(windows: readonly DemoWindow[]): Promise<string> {
  return vegaLiteSvg(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Line_A lathe: 1-minute windows (mean line, min–max band)',
      data: { values: thin(windows) },
      facet: { row: { field: 'sensor', type: 'nominal', title: null } },
      spec: {
        width: 720,
        height: 110,
        layer: [
          {
            mark: { type: 'area', opacity: 0.3 },
            encoding: {
              x: { field: 'time', type: 'temporal', title: 'simulated time' },
              y: { field: 'min', type: 'quantitative', title: null },
              y2: { field: 'max' },
            },
          },
          {
            mark: { type: 'line', strokeWidth: 1 },
            encoding: { x: { field: 'time', type: 'temporal' }, y: { field: 'mean', type: 'quantitative' } },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    },
    'the demo chart',
  );
}

interface Point {
  sensor: string;
  time: number;
  min: number;
  max: number;
  mean: number;
}

function thin(windows: readonly DemoWindow[]): Point[] {
  const bySensor = new Map<string, DemoWindow[]>();
  for (const w of windows) {
    let list = bySensor.get(w.key);
    if (list === undefined) bySensor.set(w.key, (list = []));
    list.push(w);
  }
  const points: Point[] = [];
  for (const [sensor, list] of bySensor) {
    const group = Math.ceil(list.length / MAX_POINTS);
    for (let i = 0; i < list.length; i += group) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      let sum = 0;
      let n = 0;
      for (const w of list.slice(i, i + group)) {
        lo = Math.min(lo, w.min);
        hi = Math.max(hi, w.max);
        sum += w.mean * w.count;
        n += w.count;
      }
      points.push({ sensor, time: list[i]!.start, min: lo, max: hi, mean: sum / n });
    }
  }
  return points;
}
