import { vegaLiteSvg } from '../vega-svg.ts';
import type { FitResult } from './fit-distribution.ts';
import { distributionCdf } from './goodness-of-fit.ts';

const BINS = 40;
const FAMILIES_SHOWN = 3;

/**
 * An SVG of a fit: the data's histogram (as a density) with, over it, the density each of the best families (by AIC,
 * at most three) gives each bin, computed from its CDF so a narrow peak is not missed between two points. Drawn with
 * vega-lite and vega on the server side (optional peer dependencies, loaded here).
 *
 * @example
 * const svg = await fitPlot(values, fitDistribution(values), 'seconds');
 * @internal
 */
export async function fitPlot(values: ArrayLike<number>, result: FitResult, column: string): Promise<string> {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = hi > lo ? (hi - lo) / BINS : 1;
  const counts = new Array<number>(BINS).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(BINS - 1, Math.floor((values[i]! - lo) / width))]!++;
  const bars = counts.map((c, i) => ({
    x0: lo + i * width,
    x1: lo + (i + 1) * width,
    density: c / (values.length * width),
  }));
  const curves: { x: number; density: number; family: string }[] = [];
  for (const fit of result.fits.slice(0, FAMILIES_SHOWN)) {
    for (let i = 0; i < BINS; i++) {
      const a = distributionCdf(fit.config, lo + i * width);
      const b = distributionCdf(fit.config, lo + (i + 1) * width);
      if (a === null || b === null) break;
      curves.push({
        x: lo + (i + 0.5) * width,
        density: (b - a) / width,
        family: `${fit.family} (AIC ${fit.aic.toFixed(1)})`,
      });
    }
  }
  return vegaLiteSvg(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `${column}: ${values.length} values and the best fits`,
      width: 640,
      height: 320,
      layer: [
        {
          data: { values: bars },
          mark: { type: 'rect', opacity: 0.35, color: '#777' },
          encoding: {
            x: { field: 'x0', type: 'quantitative', title: column },
            x2: { field: 'x1' },
            y: { field: 'density', type: 'quantitative', title: 'density' },
          },
        },
        {
          data: { values: curves },
          mark: { type: 'line', strokeWidth: 2 },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'density', type: 'quantitative' },
            color: { field: 'family', type: 'nominal', title: 'fit' },
          },
        },
      ],
    },
    'sim fit --plot',
  );
}
