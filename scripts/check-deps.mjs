// Dependency rules that ESLint cannot express, run by `npm run lint`:
//  - engine/'s floor plan: the level table in CONTRIBUTING.md (between the engine-levels markers)
//    places every engine folder; a folder imports only folders on lower levels;
//  - no import cycle of engine folders, and none of engine files (type-only imports count too:
//    they still couple the files);
//  - engine/contracts/ holds types only;
//  - kernel/ and bench/ reach the engine only through engine/index.ts.
// Usage: node scripts/check-deps.mjs [ROOT]  (or CHECK_DEPS_ROOT=ROOT); ROOT defaults to this
// repository, so tests can check a planted copy of the tree.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, resolve, relative, sep } from 'node:path';

const root = resolve(process.argv[2] ?? process.env.CHECK_DEPS_ROOT ?? join(dirname(new URL(import.meta.url).pathname), '..'));
const engineDir = join(root, 'engine');
const TYPES_ONLY = new Set(['contracts']);
const importRe = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

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

/** Relative imports of a file: `[spec, resolved path]`, in source order. */
function importsOf(file) {
  const out = [];
  for (const m of readFileSync(file, 'utf8').matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const r = resolveLocal(file, spec);
    if (r) out.push([spec, r]);
  }
  return out;
}

const rel = (p) => relative(root, p).split(sep).join('/');
/** The engine unit a file belongs to: its top folder under engine/, or the root file's name. */
const unitOf = (p) => relative(engineDir, p).split(sep)[0];

/** The level table: rows `| N | `a`, `b` | … |` between the markers of CONTRIBUTING.md. */
function readLevels(problems) {
  const levels = new Map();
  let text;
  try { text = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8'); } catch {
    problems.push('CONTRIBUTING.md not found: the engine level table lives there');
    return levels;
  }
  const m = /<!-- engine-levels:begin -->([\s\S]*?)<!-- engine-levels:end -->/.exec(text);
  if (!m) {
    problems.push('CONTRIBUTING.md has no level table between <!-- engine-levels:begin --> and <!-- engine-levels:end -->');
    return levels;
  }
  for (const line of m[1].split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 3 || !/^\d+$/.test(cells[1])) continue;
    for (const [, name] of cells[2].matchAll(/`([^`]+)`/g)) {
      const unit = name.replace(/\/$/, '');
      if (levels.has(unit)) problems.push(`level table: ${unit} stands on two levels (${levels.get(unit)} and ${cells[1]})`);
      levels.set(unit, Number(cells[1]));
    }
  }
  if (levels.size === 0) problems.push('CONTRIBUTING.md: the level table between the engine-levels markers has no rows');
  return levels;
}

/** One cycle per strongly connected component of `graph` (Tarjan), each as a closed path. */
function cycles(graph) {
  let index = 0;
  const idx = new Map(); const low = new Map(); const onStack = new Set(); const stack = []; const found = [];
  const strong = (v) => {
    idx.set(v, index); low.set(v, index); index++; stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) !== idx.get(v)) return;
    const comp = new Set();
    let w;
    do { w = stack.pop(); onStack.delete(w); comp.add(w); } while (w !== v);
    if (comp.size > 1 || (graph.get(v) ?? new Set()).has(v)) found.push(pathWithin(graph, v, comp));
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return found;
}

/** Shortest path from `start` back to itself inside `comp` (breadth first, sorted neighbours). */
function pathWithin(graph, start, comp) {
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!comp.has(w)) continue;
      if (w === start) {
        const path = [];
        for (let u = v; u !== null; u = prev.get(u)) path.unshift(u);
        return [...path, start];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [start, start];
}

const problems = [];
const engineFiles = walk(engineDir);
const levels = readLevels(problems);
const units = new Set(engineFiles.map(unitOf));
for (const u of [...units].sort()) {
  if (levels.size > 0 && !levels.has(u)) problems.push(`engine/${u} is on no level of CONTRIBUTING.md's level table: place it there`);
}
for (const u of levels.keys()) if (!units.has(u)) problems.push(`level table names ${u}, which engine/ does not have`);

const fileGraph = new Map();
const unitGraph = new Map();
/** First import seen per folder edge, to name it in a cycle report. */
const unitEdgeWitness = new Map();
for (const f of engineFiles) {
  const deps = new Set();
  const from = unitOf(f);
  if (!unitGraph.has(from)) unitGraph.set(from, new Set());
  for (const [spec, target] of importsOf(f)) {
    if (!target.startsWith(engineDir + sep)) {
      problems.push(`${rel(f)} imports '${spec}', outside engine/: the engine imports only itself`);
      continue;
    }
    deps.add(target);
    const to = unitOf(target);
    if (to === from) continue;
    unitGraph.get(from).add(to);
    const edge = `${from} -> ${to}`;
    if (!unitEdgeWitness.has(edge)) unitEdgeWitness.set(edge, `${rel(f)} imports '${spec}'`);
    const lf = levels.get(from);
    const lt = levels.get(to);
    if (lf === undefined || lt === undefined || lt < lf) continue;
    const where = lt === lf ? `on the same level ${lt}` : `on level ${lt}, above it`;
    problems.push(`upward import: ${rel(f)} imports '${spec}' (${rel(target)}): ${from} (level ${lf}) may import only lower levels, and ${to} is ${where}`);
  }
  fileGraph.set(f, deps);
}

for (const found of cycles(unitGraph)) {
  // Start the loop at its lowest folder: its import is the one that runs up.
  const ring = found.slice(0, -1);
  const rank = (u) => [levels.get(u) ?? Infinity, u];
  const first = ring.reduce((a, u) => (rank(u)[0] < rank(a)[0] || (rank(u)[0] === rank(a)[0] && u < a) ? u : a));
  const at = ring.indexOf(first);
  const cyc = [...ring.slice(at), ...ring.slice(0, at), first];
  const hops = cyc.slice(0, -1).map((u, i) => unitEdgeWitness.get(`${u} -> ${cyc[i + 1]}`));
  problems.push(`folder cycle: ${cyc.map((u) => `engine/${u}`).join(' -> ')} (${hops.join('; ')})`);
}
for (const cyc of cycles(fileGraph)) problems.push(`import cycle: ${cyc.map(rel).join(' -> ')}`);

// A contracts file declares types only: no values, so it can sit below every folder that uses it.
const runtimeRe = /^\s*(?:export\s+)?(?:declare\s+)?(?:const|let|var|function|async\s+function|class|abstract\s+class|enum|namespace)\b|^\s*export\s+default\b|^\s*import\s+(?!type\b)|^\s*export\s+(?!type\b|interface\b)[{*]/m;
for (const f of engineFiles) {
  if (!TYPES_ONLY.has(unitOf(f))) continue;
  const code = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const m = runtimeRe.exec(code);
  if (m) problems.push(`${rel(f)}: engine/${unitOf(f)} holds types only, found '${m[0].trim()}'`);
}

for (const dir of ['kernel', 'bench']) {
  let files = [];
  try { files = walk(join(root, dir)); } catch { continue; }
  for (const f of files) {
    for (const [spec, r] of importsOf(f)) {
      if (r.startsWith(engineDir + sep) && rel(r) !== 'engine/index.ts') {
        problems.push(`${rel(f)} imports ${spec}: ${dir}/ reaches the engine only through engine/index.ts`);
      }
    }
  }
}

// ---- kernel/: no import cycles among its files (a section of its own, apart from the engine rules) ----
/** Each import cycle among the .ts files under `dir`, once, as "import cycle: a -> b -> a". */
function fileCycles(dir) {
  const files = walk(join(root, dir));
  const deps = new Map(files.map((f) => [f, [...readFileSync(f, 'utf8').matchAll(importRe)].map((m) => resolveLocal(f, m[1] ?? m[2] ?? m[3])).filter((r) => r !== undefined)]));
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
if (existsSync(join(root, 'kernel'))) problems.push(...fileCycles('kernel'));
// ---- end of the kernel/ section ----

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
const numLevels = new Set(levels.values()).size;
console.log(`dependency rules ok (${engineFiles.length} engine files, ${units.size} folders on ${numLevels} levels)`);
