// Dependency rules that ESLint cannot express: no import cycles inside engine/, and
// kernel/, bench/ and notebooks reach the engine only through engine/index.ts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const importRe = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveLocal(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const cand of [base, base + '.ts', join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    try { if (statSync(cand).isFile()) return cand; } catch { /* next */ }
  }
  return undefined;
}

const problems = [];
const engineFiles = walk(join(root, 'engine'));
const graph = new Map();
for (const f of engineFiles) {
  const deps = [];
  for (const m of readFileSync(f, 'utf8').matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    const r = resolveLocal(f, spec);
    if (r) deps.push(r);
  }
  graph.set(f, deps);
}
// Cycle detection by DFS colouring; type-only imports count too (they still couple files).
const colour = new Map();
const stack = [];
function dfs(n) {
  colour.set(n, 1); stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (!graph.has(d)) continue;
    const c = colour.get(d) ?? 0;
    if (c === 1) {
      const cyc = stack.slice(stack.indexOf(d)).concat(d).map((p) => relative(root, p));
      problems.push(`import cycle: ${cyc.join(' -> ')}`);
    } else if (c === 0) dfs(d);
  }
  stack.pop(); colour.set(n, 2);
}
for (const f of engineFiles) if (!colour.get(f)) dfs(f);

for (const dir of ['kernel', 'bench']) {
  let files = [];
  try { files = walk(join(root, dir)); } catch { continue; }
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      const r = resolveLocal(f, spec);
      if (r && r.startsWith(join(root, 'engine') + '/') && relative(root, r) !== 'engine/index.ts') {
        problems.push(`${relative(root, f)} imports ${spec}: ${dir}/ reaches the engine only through engine/index.ts`);
      }
    }
  }
}

// ---- kernel/: no import cycles among its files (a section of its own, apart from the engine rules) ----
/** Each import cycle among the .ts files under `dir`, once, as "import cycle: a -> b -> a". */
function fileCycles(dir) {
  const files = walk(join(root, dir));
  const deps = new Map(files.map((f) => [f, [...readFileSync(f, 'utf8').matchAll(importRe)].map((m) => resolveLocal(f, m[1] ?? m[2])).filter((r) => r !== undefined)]));
  const state = new Map(); // 1: on the current path, 2: done
  const path = [];
  const found = [];
  const visit = (n) => {
    state.set(n, 1); path.push(n);
    for (const d of deps.get(n) ?? []) {
      if (!deps.has(d)) continue;
      if (state.get(d) === 1) found.push(`import cycle: ${path.slice(path.indexOf(d)).concat(d).map((p) => relative(root, p)).join(' -> ')}`);
      else if (state.get(d) === undefined) visit(d);
    }
    path.pop(); state.set(n, 2);
  };
  for (const f of files) if (state.get(f) === undefined) visit(f);
  return found;
}
problems.push(...fileCycles('kernel'));
// ---- end of the kernel/ section ----

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`dependency rules ok (${engineFiles.length} engine files)`);
