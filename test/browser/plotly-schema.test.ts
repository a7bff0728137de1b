// The layout keys plot() checks against were read from plotly.js's own schema in Chromium
// (scripts/plotly-layout-keys.mjs); reading them again from the installed plotly.js must give
// the committed module byte for byte, so an upgrade of plotly.js cannot leave them stale.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, CHROMIUM } from './helpers/browser-env';

const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';

describe.skipIf(skip)('plotly layout keys', () => {
  it('match the installed plotly.js schema', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/plotly-layout-keys.mjs'), '--check'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout + r.stderr).toContain('is up to date');
    expect(r.status).toBe(0);
  }, 180_000);
});
