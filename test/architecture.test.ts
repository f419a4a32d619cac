/**
 * The shape of src/: each folder one job, every import pointing down.
 *
 * Reads the imports of every src/**\/*.ts file (static and dynamic,
 * `import type` included: a type import still ties two modules' meaning
 * together) and fails on an import that the table below does not allow,
 * on any circle between files, on a Node built-in in a browser-safe layer,
 * and on a package src/ imports that package.json does not list as a
 * dependency. The README's "Architecture" section shows the same table;
 * the last test keeps the two equal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ImportSite, type Target, findCircles, listTsFiles, projectPath, readImports, resolveImport } from './helpers/imports.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = `${ROOT}src`;

/**
 * Which layers each layer may import (its own files are always allowed).
 * A layer is a folder of src/, or one of the two files at its root:
 * `negotiate` (src/negotiate.ts: media types and the CodecRegistry, which
 * know the Codec interface and no format, so they sit beside core where
 * formats, client and server can all reach them) and `index` (src/index.ts,
 * the `watchwire` entry: it picks the defaults the client does not know,
 * every codec for `watch()`, JSON for `listObjects()`, so it sits on top of
 * the browser-safe layers).
 */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  kubernetes: ['core'],
  negotiate: ['core'],
  formats: ['core', 'kubernetes', 'negotiate'],
  stream: ['core'],
  client: ['core', 'kubernetes', 'negotiate', 'stream'],
  informer: ['core', 'kubernetes', 'negotiate', 'stream', 'client'],
  index: ['core', 'kubernetes', 'negotiate', 'formats', 'stream', 'client', 'informer'],
  node: ['core', 'formats', 'stream', 'client'],
  server: ['core', 'kubernetes', 'negotiate', 'formats', 'stream'],
  inspector: ['core', 'kubernetes', 'negotiate', 'formats', 'stream', 'client', 'informer', 'server'],
  cli: ['core', 'kubernetes', 'negotiate', 'formats', 'stream', 'client', 'informer', 'index', 'node', 'server', 'inspector'],
};

/**
 * Single files allowed one more layer than their folder, each for a reason.
 * `watchwire/server` exported the inspector's routes before the inspector
 * had a folder of its own: its entry keeps re-exporting them (public names
 * unchanged), while no other server file may reach the inspector.
 */
export const FILE_EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  'src/server/index.ts': ['inspector'],
};

/** Layers that run in a browser: no Node built-in, imported directly or through another file. */
export const BROWSER_SAFE: readonly string[] = ['core', 'kubernetes', 'negotiate', 'formats', 'stream', 'client', 'informer', 'index'];

/** Files of browser-safe code in a layer that also has Node parts (the inspector's page script and what it imports). */
const BROWSER_FILES = ['src/inspector/app.ts'];

function layerOf(path: string): string {
  const parts = path.split('/');
  // src/negotiate.ts -> negotiate; src/core/x.ts -> core
  return parts.length === 2 ? parts[1]!.replace(/\.ts$/, '') : parts[1]!;
}

interface Edge {
  from: string;
  site: ImportSite;
  target: Target;
}

function readGraph(): { files: string[]; edges: Edge[]; computed: string[] } {
  const files = listTsFiles(SRC).map((f) => projectPath(ROOT, f));
  const edges: Edge[] = [];
  const computed: string[] = [];
  for (const from of files) {
    const { imports, computed: dynamic } = readImports(readFileSync(`${ROOT}${from}`, 'utf8'));
    for (const site of imports) edges.push({ from, site, target: resolveImport(`${ROOT}${from}`, site.specifier) });
    for (const c of dynamic) computed.push(`${from}:${c.line}`);
  }
  return { files, edges, computed };
}

const graph = readGraph();
const where = (e: Edge): string => `${e.from}:${e.site.line} imports ${e.site.specifier}`;

test('the import reader sees what it must: value, type, re-export and dynamic imports; none in comments, strings or templates', () => {
  const source = [
    "import a from './a.js';",
    "import type { B } from './b.js';",
    "import { type C, type D } from './cd.js';",
    "import { e, type F } from './ef.js';",
    "import './side-effect.js';",
    "export { g } from './g.js';",
    "export type { H } from './h.js';",
    "export * as ns from './ns.js';",
    "import x = require('./req.js');",
    "const lazy = await import('./lazy.js');",
    "type T = typeof import('./type-position.js');",
    "// import fake from './comment.js';",
    "/* import fake from './block.js'; */",
    "const s = \"import fake from './string.js'\";",
    "const t = `import fake from './template.js' ${`nested ${'x'} import('./nested.js')`}`;",
    "const r = /import '.\\/regex.js'/g;",
    "const ratio = 1 / 2; const other = 3 / 4; import('./after-division.js');",
    'export const from = 1;',
    "const m = import.meta.url; obj.import('./property.js');",
    'import(computed);',
    "if (ok) /'/.test(x); // a regex read as division: its quote must not swallow the next line",
    "import type { Z } from './after-regex.js';",
  ].join('\n');
  const { imports, computed } = readImports(source);
  assert.deepEqual(
    imports.map((i) => [i.specifier, i.form, i.typeOnly]),
    [
      ['./a.js', 'static', false],
      ['./b.js', 'static', true],
      ['./cd.js', 'static', true],
      ['./ef.js', 'static', false],
      ['./side-effect.js', 'static', false],
      ['./g.js', 'static', false],
      ['./h.js', 'static', true],
      ['./ns.js', 'static', false],
      ['./req.js', 'static', false],
      ['./lazy.js', 'dynamic', false],
      ['./type-position.js', 'dynamic', false],
      ['./after-division.js', 'dynamic', false],
      ['./after-regex.js', 'static', true],
    ],
  );
  assert.deepEqual(
    computed.map((c) => c.line),
    [20],
  );
});

test('the import reader misses no value import esbuild finds in src/', async () => {
  // esbuild drops type-only imports, so it cannot do the check itself; what it does see, the reader must see too.
  // Every import is made external as esbuild resolves it: each file is parsed alone, none linked (a file
  // another agent is editing may name an export that does not exist yet).
  const { build } = await import('esbuild');
  const found: string[] = [];
  await build({
    entryPoints: graph.files.map((f) => `${ROOT}${f}`),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    outdir: '/nonexistent',
    logLevel: 'silent',
    absWorkingDir: ROOT,
    plugins: [
      {
        name: 'record-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            found.push(`${projectPath(ROOT, args.importer)} -> ${args.path}`);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const seen = new Set(graph.edges.map((e) => `${e.from} -> ${e.site.specifier}`));
  assert.ok(found.length > 200, `esbuild reported only ${found.length} imports`);
  assert.deepEqual(
    found.filter((key) => !seen.has(key)),
    [],
  );
});

test('every import in src/ resolves, and no import() has a computed specifier', () => {
  assert.deepEqual(
    graph.edges.filter((e) => e.target.kind === 'unresolved').map(where),
    [],
  );
  assert.deepEqual(graph.computed, [], 'import() of a computed name: the layering cannot be checked');
});

test('every src/ file belongs to a layer of the table', () => {
  assert.deepEqual(
    graph.files.filter((f) => !Object.hasOwn(ALLOWED, layerOf(f))),
    [],
    'a new folder (or root file) needs a row in ALLOWED, and in the README',
  );
});

test('imports point down: each layer imports only the layers the table allows', () => {
  const violations: string[] = [];
  for (const edge of graph.edges) {
    if (edge.target.kind !== 'file') continue;
    const from = layerOf(edge.from);
    const to = layerOf(projectPath(ROOT, edge.target.path));
    if (from === to) continue;
    const allowed = [...(ALLOWED[from] ?? []), ...(FILE_EXCEPTIONS[edge.from] ?? [])];
    if (!allowed.includes(to)) violations.push(`${where(edge)} (${from} -> ${to}${edge.site.typeOnly ? ', type only' : ''})`);
  }
  assert.deepEqual(violations, []);
});

test('formats do not import each other (only src/formats/index.ts gathers them)', () => {
  const formatOf = (path: string): string | undefined => /^src\/formats\/([^/]+)\//.exec(path)?.[1];
  const violations: string[] = [];
  for (const edge of graph.edges) {
    if (edge.target.kind !== 'file') continue;
    const from = formatOf(edge.from);
    const to = formatOf(projectPath(ROOT, edge.target.path));
    if (from !== undefined && to !== undefined && from !== to) violations.push(`${where(edge)} (${from} -> ${to})`);
  }
  assert.deepEqual(violations, []);
});

test('the table itself has no circle between layers', () => {
  const layers = new Map(Object.entries(ALLOWED).map(([layer, allowed]) => [layer, new Set(allowed)]));
  assert.deepEqual(findCircles(layers), []);
});

test('no circle between files (type imports included)', () => {
  const files = new Map<string, Set<string>>(graph.files.map((f) => [f, new Set()]));
  for (const edge of graph.edges) if (edge.target.kind === 'file') files.get(edge.from)!.add(projectPath(ROOT, edge.target.path));
  assert.deepEqual(
    findCircles(files).map((circle) => circle.join(' -> ')),
    [],
  );
});

test('browser-safe layers import no Node built-in, directly or through the files they import', () => {
  const importsOf = new Map<string, Edge[]>();
  for (const edge of graph.edges) importsOf.set(edge.from, [...(importsOf.get(edge.from) ?? []), edge]);
  const roots = graph.files.filter((f) => BROWSER_SAFE.includes(layerOf(f)) || BROWSER_FILES.includes(f));
  assert.ok(BROWSER_FILES.every((f) => graph.files.includes(f)), `BROWSER_FILES names a file that is gone: ${BROWSER_FILES.join(', ')}`);
  const violations: string[] = [];
  for (const root of roots) {
    // Breadth first through relative imports, so the path to the built-in can be shown.
    const via = new Map<string, string>([[root, '']]);
    const queue = [root];
    for (let q = 0; q < queue.length; q++) {
      const file = queue[q]!;
      for (const edge of importsOf.get(file) ?? []) {
        if (edge.target.kind === 'builtin') {
          const chain: string[] = [];
          for (let f: string | undefined = file; f !== undefined && f !== ''; f = via.get(f) || undefined) chain.unshift(f);
          violations.push(`${root}: ${[...chain].join(' -> ')} imports ${edge.site.specifier}`);
        } else if (edge.target.kind === 'file') {
          const next = projectPath(ROOT, edge.target.path);
          if (!via.has(next)) {
            via.set(next, file);
            queue.push(next);
          }
        }
      }
    }
  }
  assert.deepEqual([...new Set(violations)], []);
});

test('src/ imports only packages listed in dependencies (none of the devDependencies)', () => {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { dependencies?: Record<string, string> };
  const dependencies = Object.keys(manifest.dependencies ?? {});
  const packages = graph.edges.filter((e) => e.target.kind === 'package');
  assert.deepEqual(
    packages.filter((e) => e.target.kind === 'package' && !dependencies.includes(e.target.name)).map(where),
    [],
  );
  const used = new Set(packages.map((e) => (e.target.kind === 'package' ? e.target.name : '')));
  assert.deepEqual(
    dependencies.filter((d) => !used.has(d)),
    [],
    'a dependency src/ never imports belongs in devDependencies (or nowhere)',
  );
});

test('the README\'s "Architecture" table is this table', (t) => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const start = readme.indexOf('## Architecture');
  if (start === -1) {
    t.skip('README has no "## Architecture" section yet');
    return;
  }
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1) === -1 ? undefined : readme.indexOf('\n## ', start + 1));
  // Rows: | `layer` | ... | `a`, `b` | (the last column lists what the layer may import, or "nothing").
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4) continue;
    const name = /^`([\w-]+)`/.exec(cells[1]!)?.[1];
    if (name === undefined || !Object.hasOwn(ALLOWED, name)) continue;
    rows.set(name, [...cells[cells.length - 2]!.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!).sort());
  }
  assert.deepEqual(
    Object.fromEntries([...rows].sort()),
    Object.fromEntries(
      Object.entries(ALLOWED)
        .map(([layer, allowed]) => [layer, [...allowed].sort()] as const)
        .sort(),
    ),
  );
});
