// Builds the native sparse-MLA kernels (native/sparse-mla/*.c, AVX2 + FMA) into
// build/sparse-mla-native.node with the system gcc and Node's own headers: no downloads, no
// node-gyp. Runs as package.json's "install" script (so `npm ci` builds it) and by hand:
//   node scripts/build-native.mjs [--force] [--check] [--out DIR]
// --force rebuilds an up-to-date build; --check only says whether build/ is up to date (exit 1
// when not) and builds nothing; --out builds into DIR instead of build/ (tests use it).
// Without gcc, Node's headers, Linux x86-64 or an AVX2/FMA CPU it prints one line and exits 0:
// the WebAssembly kernels stay in use. A hash of the C sources is compiled into the binary and
// written beside it (build/sparse-mla-native.json), so the loader can refuse a stale build.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const srcDir = join(root, 'native', 'sparse-mla');
const outAt = process.argv.indexOf('--out');
const outDir = outAt >= 0 ? resolve(process.argv[outAt + 1] ?? '') : join(root, 'build');
const binary = join(outDir, 'sparse-mla-native.node');
const record = join(outDir, 'sparse-mla-native.json');
const force = process.argv.includes('--force');
const checkOnly = process.argv.includes('--check');
// The addon's N-API glue is built without AVX2 so that it loads (and reports) on any x86-64 CPU.
const PORTABLE = new Set(['addon.c']);
const COMMON = ['-O3', '-std=gnu11', '-fPIC', '-pthread', '-fvisibility=hidden', '-ffp-contract=off', '-Wall', '-Wextra'];
const SIMD = ['-mavx2', '-mfma'];

/** sha256 over the kernel sources (name, NUL, bytes, NUL for each .c/.h in name order); kernel/native computes the same. */
function sourceHash() {
  const h = createHash('sha256');
  for (const name of readdirSync(srcDir).filter((n) => /\.(c|h)$/.test(n)).sort()) {
    h.update(name + '\0');
    h.update(readFileSync(join(srcDir, name)));
    h.update('\0');
  }
  return h.digest('hex');
}

function skip(why) {
  console.log(`build-native: skipped (${why}); the WebAssembly sparse-MLA kernels stay in use`);
  process.exit(0);
}

function run(cmd, args) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolveRun({ code: -1, err: String(e) }));
    child.on('close', (code) => resolveRun({ code, err }));
  });
}

if (process.platform !== 'linux' || process.arch !== 'x64') skip(`${process.platform}-${process.arch} is not linux-x64`);
let cpuinfo = '';
try { cpuinfo = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* judged below */ }
const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
if (!flags.has('avx2') || !flags.has('fma')) skip('this CPU lacks AVX2/FMA');
const headers = resolve(dirname(process.execPath), '..', 'include', 'node');
if (!existsSync(join(headers, 'node_api.h'))) skip(`Node's headers are not at ${headers}`);
const gcc = process.env['CC'] ?? 'gcc';
const probe = spawnSync(gcc, ['--version'], { encoding: 'utf8' });
if (probe.status !== 0) skip(`${gcc} is not installed`);

const hash = sourceHash();
let upToDate = false;
try {
  upToDate = existsSync(binary) && JSON.parse(readFileSync(record, 'utf8')).sourceHash === hash;
} catch { /* missing or unreadable record: rebuild */ }
if (checkOnly) {
  console.log(`build-native: ${binary} is ${upToDate ? 'up to date' : existsSync(binary) ? 'stale (run npm run build:native)' : 'missing (run npm run build:native)'}`);
  process.exit(upToDate ? 0 : 1);
}
if (upToDate && !force) {
  console.log(`build-native: ${binary} is up to date`);
  process.exit(0);
}

const t0 = performance.now();
mkdirSync(outDir, { recursive: true });
const objDir = join(outDir, `native-obj-${process.pid}`); // per process: two concurrent installs never share objects
mkdirSync(objDir, { recursive: true });
const sources = readdirSync(srcDir).filter((n) => n.endsWith('.c')).sort();
const define = `-DSMLA_SOURCE_HASH="${hash}"`;
const results = await Promise.all(sources.map((name) => {
  const obj = join(objDir, name.replace(/\.c$/, '.o'));
  const args = [...COMMON, ...(PORTABLE.has(name) ? [] : SIMD), define, '-I', headers, '-c', join(srcDir, name), '-o', obj];
  return run(gcc, args).then((r) => ({ name, obj, ...r }));
}));
for (const r of results) if (r.code === 0 && r.err.trim()) process.stderr.write(`${r.name}: ${r.err}`); // warnings
let failed = results.filter((r) => r.code !== 0);
if (failed.length === 0) {
  const tmp = `${binary}.${process.pid}.tmp`;
  const link = await run(gcc, ['-shared', '-pthread', '-o', tmp, ...results.map((r) => r.obj), '-lm']);
  if (link.code === 0) renameSync(tmp, binary); // atomic: a running process never sees half a file
  else failed = [{ name: 'link', ...link }];
  rmSync(tmp, { force: true });
}
rmSync(objDir, { recursive: true, force: true });
if (failed.length > 0) {
  for (const f of failed) process.stderr.write(`${f.name}:\n${f.err}\n`);
  console.log('build-native: FAILED to compile the native sparse-MLA kernels (errors above); the WebAssembly kernels stay in use');
  // A broken build must not stop `npm ci`; run by hand it is an error.
  process.exit(process.env['npm_lifecycle_event'] === 'install' ? 0 : 1);
}
const compiler = probe.stdout.split('\n')[0];
writeFileSync(record, JSON.stringify({ sourceHash: hash, compiler, flags: [...COMMON, ...SIMD], headers, node: process.version }, null, 1) + '\n');
console.log(`build-native: built ${binary} (${compiler}, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
