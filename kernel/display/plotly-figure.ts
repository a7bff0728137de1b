/** The plotly figure shape `plot()` accepts (plotly.js `{ data, layout, config, frames }`). */
export interface PlotlyFigure {
  readonly data: readonly Record<string, unknown>[];
  readonly layout?: Record<string, unknown>;
  readonly config?: Record<string, unknown>;
  readonly frames?: readonly unknown[];
}
