// The lab's charts, drawn by Observable Plot as SVG (no eval, no canvas).
import * as Plot from '@observablehq/plot';

export { Plot };

export function draw(options: Plot.PlotOptions): SVGSVGElement {
  const chart = Plot.plot({ ...options, className: 'ql-plot' });
  // Plot adds a <style> element; the panel's CSP (stylesheets from media/ only) would refuse it, so
  // media/lab.css carries its rules instead.
  for (const style of chart.querySelectorAll('style')) style.remove();
  return chart as unknown as SVGSVGElement;
}
