// `npm run depcheck`: runs dependency-cruiser over src/ with .dependency-cruiser.cjs and fails on any
// violation that is not in .dependency-cruiser-known-violations.json (the baseline).
//
// Why not `depcruise --ignore-known` alone: dependency-cruiser (17.x) does not apply the baseline to
// folder-scope rules, and "no cycle between module folders" is one. So this script matches those by
// rule, from-folder and to-folder itself (the cycle path it reports may change; the edge is what counts).
// It also prints the module graph's two-way pairs and cycles, the numbers issue #15 burns down.
//
// `npm run depcheck -- --verbose` lists every module pair with its file counts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const BASELINE = '.dependency-cruiser-known-violations.json';
const verbose = process.argv.includes('--verbose');

let output;
try {
  output = execFileSync('node_modules/.bin/depcruise', ['src', '--config', '.dependency-cruiser.cjs', '--no-ignore-known', '--output-type', 'json'], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
} catch (error) {
  // depcruise exits with the number of errors; its JSON is still on stdout. No JSON: it crashed.
  output = error.stdout;
  if (!output) throw error;
}
const result = JSON.parse(output);
const known = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) : [];
const edgeKey = (v) => `${v.rule.name} ${v.from} -> ${v.to}`;
const knownKeys = new Set(known.map(edgeKey));

const violations = result.summary.violations.filter((v) => v.rule.severity === 'error' || v.rule.severity === 'warn');
const fresh = violations.filter((v) => !knownKeys.has(edgeKey(v)));
const fixed = known.filter((k) => !violations.some((v) => edgeKey(v) === edgeKey(k)));

const byRule = {};
for (const v of violations) byRule[v.rule.name] = (byRule[v.rule.name] ?? 0) + 1;

// Module graph: src/modules/<name> -> one node; the rest of src/ by top folder (app, common, jobs, ...).
const nodeOf = (path) => {
  const m = /^src\/modules\/([^/]+)\//.exec(path);
  if (m) return m[1];
  const top = /^src\/([^/]+)\//.exec(path);
  return top ? `(${top[1]})` : null;
};
const filesImporting = new Map(); // "a b" -> Set of files in a importing from b
const fileCycles = new Set();
const runtimeFileCycles = new Set();
for (const mod of result.modules) {
  const from = nodeOf(mod.source);
  for (const dep of mod.dependencies) {
    if (dep.circular) {
      fileCycles.add(mod.source);
      if (dep.cycle.every((step) => !step.dependencyTypes.includes('type-only'))) runtimeFileCycles.add(mod.source);
    }
    const to = nodeOf(dep.resolved);
    if (!from || !to || from === to) continue;
    const key = `${from} ${to}`;
    if (!filesImporting.has(key)) filesImporting.set(key, new Set());
    filesImporting.get(key).add(mod.source);
  }
}
const isModule = (n) => !n.startsWith('(');
const count = (a, b) => filesImporting.get(`${a} ${b}`)?.size ?? 0;
const pairs = [];
for (const key of filesImporting.keys()) {
  const [a, b] = key.split(' ');
  if (a < b && count(b, a) > 0) pairs.push([a, b]);
}
const modulePairs = pairs.filter(([a, b]) => isModule(a) && isModule(b));

// Strongly connected components of the module graph (modules only, and modules plus src/app etc.).
function components(nodeFilter) {
  const nodes = new Set();
  const edges = new Map();
  for (const key of filesImporting.keys()) {
    const [a, b] = key.split(' ');
    if (!nodeFilter(a) || !nodeFilter(b)) continue;
    nodes.add(a).add(b);
    if (!edges.has(a)) edges.set(a, []);
    edges.get(a).push(b);
  }
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    stack = [],
    onStack = new Set(),
    sccs = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) sccs.push(scc.sort());
    }
  };
  for (const n of [...nodes].sort()) if (!idx.has(n)) visit(n);
  return sccs;
}

console.log(`dependency-cruiser: ${result.summary.totalCruised} files, ${result.summary.totalDependenciesCruised} imports cruised`);
console.log(`violations: ${violations.length} (${violations.length - fresh.length} known in ${BASELINE}, ${fresh.length} new)`);
for (const [rule, n] of Object.entries(byRule).sort()) console.log(`  ${rule}: ${n}`);
console.log(`two-way module pairs (files importing each way): ${modulePairs.length}`);
console.log('  ' + modulePairs.map(([a, b]) => `${a}↔${b} (${count(a, b)}/${count(b, a)})`).join(', '));
const withApp = pairs.filter(([a, b]) => !(isModule(a) && isModule(b)));
if (withApp.length) console.log('two-way pairs with other parts of src/: ' + withApp.map(([a, b]) => `${a}↔${b} (${count(a, b)}/${count(b, a)})`).join(', '));
for (const [label, filter] of [
  ['modules', isModule],
  ['modules and the rest of src/', () => true],
]) {
  const sccs = components(filter);
  console.log(`cycles among ${label}: ${sccs.length}` + sccs.map((s) => `\n  ${s.length} in one cycle: ${s.join(', ')}`).join(''));
}
console.log(`files on an import cycle: ${fileCycles.size} (counting type-only imports), ${runtimeFileCycles.size} (runtime imports only)`);
if (verbose) {
  for (const key of [...filesImporting.keys()].sort()) console.log(`  ${key.replace(' ', ' -> ')}: ${filesImporting.get(key).size} files`);
}

if (fixed.length) {
  console.log(`\n${fixed.length} known violations are gone: run \`npm run depcheck:baseline\` to drop them from the baseline.`);
}
if (fresh.length) {
  console.error(`\n${fresh.length} NEW dependency violations (not in ${BASELINE}):`);
  for (const v of fresh) {
    const rule = result.summary.ruleSetUsed.forbidden?.find((r) => r.name === v.rule.name);
    console.error(`  ${v.rule.name}: ${v.from} -> ${v.to}` + (v.cycle ? `\n    cycle: ${v.cycle.map((s) => s.name).join(' -> ')}` : ''));
    if (rule?.comment) console.error(`    ${rule.comment}`);
  }
  process.exit(1);
}
console.log('\nno new dependency violations');
