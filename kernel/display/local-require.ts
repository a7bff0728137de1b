/**
 * A `require` relative to this folder that works whether the module was loaded as ESM
 * (`import.meta.url`) or as CommonJS (`__filename`; tsx compiles `import.meta` away there). The
 * TypeScript interpreter loads the engine through `require`, so these modules can end up in
 * either module system.
 */
import { createRequire } from 'node:module';

export function localRequire(): NodeJS.Require {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url !== '') return createRequire(url);
  if (typeof __filename === 'string') return createRequire(__filename);
  return createRequire(`${process.cwd()}/`);
}
