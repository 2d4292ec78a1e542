import { importOptional } from '../import-optional.ts';

/** A vega-lite specification, as `vega-lite`'s `compile` takes it. */
type VegaLiteSpec = Parameters<typeof import('vega-lite').compile>[0];

/**
 * Draws a vega-lite specification as an SVG document on the server (no DOM, no canvas): the charts of the demo,
 * `sim report` and `sim fit --plot`. vega-lite and vega are optional peer dependencies, loaded on first use;
 * `purpose` names what needs them in the error when they are missing.
 *
 * @example
 * const svg = await vegaLiteSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point' }, 'sim report');
 * // '<svg xmlns="http://www.w3.org/2000/svg" …'
 * @internal
 */
export async function vegaLiteSvg(spec: VegaLiteSpec, purpose: string): Promise<string> {
  const vl = await importOptional('vega-lite', purpose, () => import('vega-lite'));
  const vega = await importOptional('vega', purpose, () => import('vega'));
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
