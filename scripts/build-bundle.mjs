// Builds the `enginelab` command's bundle (scripts/cli-bundle.mjs) into dist/cli/ (or
// $ENGINELAB_BUNDLE_DIR). Run by package.json's "install" script after the native build, and by
// hand: `node scripts/build-bundle.mjs [--check] [--force]`. --check only says whether the
// bundle is fresh (exit 1 when not); without --force a fresh bundle is kept. A failure prints
// one line and exits 0: the command then runs the sources through tsx, as before.
import { buildBundle, bundleDir, checkBundle, projectRoot } from './cli-bundle.mjs';

const root = projectRoot();
const dir = bundleDir(root);
const state = checkBundle(root, dir);
if (process.argv.includes('--check')) {
  console.log(`build-bundle: ${state.fresh ? `${dir} is fresh` : `stale: ${state.reason}`}`);
  process.exit(state.fresh ? 0 : 1);
}
if (state.fresh && !process.argv.includes('--force')) {
  console.log(`build-bundle: ${dir} is fresh`);
  process.exit(0);
}
const t0 = performance.now();
try {
  const { numInputs } = await buildBundle(root, dir);
  console.log(`build-bundle: bundled ${numInputs} sources into ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} catch (e) {
  console.log(`build-bundle: skipped (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); enginelab runs its sources through tsx`);
}
