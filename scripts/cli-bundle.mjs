// The `enginelab` command's install-time bundle: kernel/main.ts and everything it imports from
// this checkout (kernel/, engine/), bundled once by esbuild into plain ESM, so a start does not
// register tsx and transpile ~300 TypeScript files. npm packages stay external (loaded from
// node_modules as usual). Each source keeps its own `import.meta.url` (replaced by its original
// file URL at bundle time), so paths computed from it — the project root, the socket thread's
// sources, the kernelspec's bin path, WebAssembly files — mean what they mean under tsx.
//
// Freshness (the invariant: a stale bundle is never run): bundle.json records every input file
// (path relative to the root, size, mtime, sha256) and the root it was built for. A start stats
// each input; a file whose size differs, or whose mtime differs and whose bytes hash differently,
// a missing file, or another root makes the bundle stale, and bin/enginelab.mjs runs the sources
// through tsx instead (saying why under ENGINELAB_TRACE_STARTUP). The bundle lives in dist/cli/
// of this checkout (gitignored; worktrees share node_modules and build/, never dist/), or in
// $ENGINELAB_BUNDLE_DIR, which must lie inside dist/ too.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BUNDLE_FORMAT = 1;
const ENTRY = 'kernel/main.ts';
/** Files that shape the bundle without being imported by it. */
const EXTRA_INPUTS = ['scripts/cli-bundle.mjs', 'tsconfig.json'];

export function projectRoot() {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

/** The bundle's folder: inside the checkout, so its npm imports find node_modules by walking up. */
export function bundleDir(root = projectRoot()) {
  return process.env.ENGINELAB_BUNDLE_DIR ? resolve(process.env.ENGINELAB_BUNDLE_DIR) : join(root, 'dist', 'cli');
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Whether the bundle in `dir` may run for the sources under `root`.
 * @returns {{ fresh: true, entry: string } | { fresh: false, reason: string }}
 */
export function checkBundle(root = projectRoot(), dir = bundleDir(root)) {
  let record;
  try {
    record = JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8'));
  } catch {
    return { fresh: false, reason: `no bundle in ${dir} (npm run build:bundle)` };
  }
  if (record.format !== BUNDLE_FORMAT) return { fresh: false, reason: `bundle format ${record.format} is not ${BUNDLE_FORMAT}` };
  if (record.root !== root) return { fresh: false, reason: `bundle was built for ${record.root}, not ${root}` };
  const entry = join(dir, record.entry);
  if (!existsSync(entry)) return { fresh: false, reason: `${entry} is missing` };
  for (const [rel, input] of Object.entries(record.inputs)) {
    const path = join(root, rel);
    let st;
    try {
      st = statSync(path);
    } catch {
      return { fresh: false, reason: `${rel} was removed` };
    }
    if (st.size !== input.size) return { fresh: false, reason: `${rel} changed` };
    // A touched but unchanged file (git checkout, editor save) keeps the bundle.
    if (st.mtimeMs !== input.mtimeMs && sha256(path) !== input.sha256) return { fresh: false, reason: `${rel} changed` };
  }
  return { fresh: true, entry };
}

/**
 * An esbuild plugin: `import.meta.url` in a project source becomes that source's own file URL,
 * written plainly or through the cast that sources loadable as CommonJS use,
 * `(import.meta as { url?: string }).url` (missed, a bundled module located its siblings in dist/).
 */
function ownImportMetaUrl(root) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (!args.path.startsWith(root + sep) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const own = JSON.stringify(pathToFileURL(args.path).href);
        const text = readFileSync(args.path, 'utf8').replace(/\(import\.meta as \{ url\?: string \}\)\.url/g, own).replaceAll('import.meta.url', own);
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/**
 * An esbuild plugin: `import ts from 'typescript'` becomes a CommonJS require. Node's ESM import
 * of a CommonJS package first scans its source for export names (cjs-module-lexer), which for
 * TypeScript's 9 MB typescript.js costs several times the require itself (0.7 s against 2.9 s on
 * a busy 2-core machine). Every kernel file imports TypeScript as a default import, which the
 * require gives exactly (module.exports).
 */
function requireCommonJs(names) {
  return {
    name: 'require-commonjs',
    setup(build) {
      const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
      build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'require-commonjs' }));
      build.onLoad({ filter: /.*/, namespace: 'require-commonjs' }, (args) => ({
        contents: `import { createRequire } from 'node:module';\nexport default createRequire(${JSON.stringify(pathToFileURL(join(build.initialOptions.absWorkingDir, 'package.json')).href)})(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
}

/** Bundles the sources under `root` into `dir` (atomically: a running start never sees half a bundle). */
export async function buildBundle(root = projectRoot(), dir = bundleDir(root)) {
  // Inside the checkout's dist/: its npm imports resolve from there up, and the debugger hides dist/ frames.
  if (!dir.startsWith(join(root, 'dist') + sep)) throw new Error(`the bundle folder ${dir} must lie inside ${join(root, 'dist')}`);
  const esbuild = await import('esbuild');
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  let result;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { main: join(root, ENTRY) },
      bundle: true,
      splitting: true, // subcommands' dynamic imports become chunks: `simulate` never loads the kernel
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      plugins: [ownImportMetaUrl(root), requireCommonJs(['typescript'])],
    });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const inputs = {};
  for (const rel of [...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS]) {
    if (/^[\w-]+:/.test(rel)) continue; // a plugin's virtual module (namespace:path)
    const path = resolve(root, rel);
    if (!path.startsWith(root + sep) || path.includes(`${sep}node_modules${sep}`)) continue;
    const st = statSync(path);
    // A source saved while esbuild ran may differ from what it read: record it as changed.
    const sha = st.mtimeMs >= started ? 'changed-during-build' : sha256(path);
    inputs[relative(root, path)] = { size: st.size, mtimeMs: sha === 'changed-during-build' ? 0 : st.mtimeMs, sha256: sha };
  }
  writeFileSync(join(tmp, 'bundle.json'), JSON.stringify({ format: BUNDLE_FORMAT, root, entry: 'main.mjs', inputs }, null, 1));
  mkdirSync(dirname(dir), { recursive: true });
  const old = `${dir}.${process.pid}.old`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
  return { dir, numInputs: Object.keys(inputs).length };
}
