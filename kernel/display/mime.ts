/**
 * MIME bundles: what a display carries. `data` maps MIME types to values; JSON MIME types
 * (`application/json`, `application/vnd.plotly.v1+json`, …) carry objects, never strings.
 */

export type MimeData = Record<string, unknown>;
export type MimeMetadata = Record<string, unknown>;

export interface DisplayBundle {
  readonly data: MimeData;
  readonly metadata: MimeMetadata;
}

/**
 * Objects that render themselves implement this symbol method (the same symbol Deno's kernel
 * uses), returning either a MIME bundle `{ data, metadata }` or a plain `data` record. The
 * engine defines such methods without importing the kernel, because `Symbol.for` is global.
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display') as never;
