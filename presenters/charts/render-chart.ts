// Renders a chart view model to SVG (Vega-Lite compiled to Vega, rendered headless) and to PNG (resvg), with one
// bundled font and estimated text widths, so the same view gives the same bytes on every machine.
import { fileURLToPath } from 'node:url';
import type { ChartView } from '../../src/investigation/chart-view.js';
import { buildChartSpec, CHART_FONT } from './chart-spec.js';

/** DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE), shipped with the code rather than read from the system. */
export const CHART_FONT_FILE = fileURLToPath(new URL('./fonts/DejaVuSans.ttf', import.meta.url));

type Renderers = {
  vega: typeof import('vega');
  compile: (typeof import('vega-lite'))['compile'];
  Resvg: (typeof import('@resvg/resvg-js'))['Resvg'];
};
let renderers: Promise<Renderers> | undefined;

/**
 * Vega, Vega-Lite and resvg, loaded on the first chart rather than at start: together ~20 MB resident and a second of
 * start-up that a process which draws no chart (a web role, an idle copilot) should not pay.
 */
function loadRenderers(): Promise<Renderers> {
  renderers ??= Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]).then(
    ([vega, vegaLite, resvg]) => {
      // Vega measures label widths with a canvas when one is installed and estimates them otherwise; estimating
      // always keeps the layout independent of whatever canvas or fonts a machine has.
      // vega exports textMetrics (from vega-scenegraph) at run time; its type declarations leave it out.
      (vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics.canvas(false);
      return { vega, compile: vegaLite.compile, Resvg: resvg.Resvg };
    },
  );
  return renderers;
}

/** The chart as an SVG document. */
export async function renderChartSvg(view: ChartView): Promise<string> {
  const { vega, compile } = await loadRenderers();
  const { spec } = compile(buildChartSpec(view));
  const chart = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await chart.toSVG();
  } finally {
    chart.finalize();
  }
}

/** An SVG document as a PNG, drawn with the bundled font only (no system fonts), at twice the size for sharpness. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await loadRenderers();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: [CHART_FONT_FILE], defaultFontFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}

/** The chart as a PNG file's bytes. */
export async function renderChartPng(view: ChartView): Promise<Buffer> {
  return svgToPng(await renderChartSvg(view));
}
