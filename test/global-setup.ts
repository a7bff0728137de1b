// Before the suite: the `enginelab` command's bundle is brought up to date (scripts/build-bundle.mjs
// keeps a fresh one), so kernels started by the tests run what `npm ci` installs. After an edit a
// stale bundle would send every start through tsx, whose slower start-up is not what users get
// (the console's is_complete deadline during warm-up, for one, is about that start-up).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  const root = resolve(__dirname, '..');
  const r = spawnSync(process.execPath, ['scripts/build-bundle.mjs'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build-bundle.mjs failed: ${r.stderr || r.stdout}`);
  process.stdout.write(r.stdout);
}
