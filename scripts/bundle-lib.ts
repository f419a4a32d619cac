/**
 * Browser bundles with esbuild (platform 'browser', no shims): the inspector
 * page's script, the entries whose sizes the README reports, and the test
 * page of test/browser.test.ts. A Node built-in on a bundled path fails the
 * build (esbuild cannot resolve `node:*` for the browser), and a free
 * reference to a Node global (`Buffer`, `process`, `global`, `__dirname`)
 * is reported by `nodeGlobals`.
 */
import { type BuildOptions, build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const INSPECTOR_ENTRY = fileURLToPath(new URL('../src/inspector/app.ts', import.meta.url));
export const INSPECTOR_OUTFILE = fileURLToPath(new URL('../dist/inspector/inspector.js', import.meta.url));

/** The Node globals a browser does not have; each is replaced by a marker to find free references. */
// Not `require`: defining it would hide the require() calls esbuild resolves and bundles.
const NODE_GLOBALS = ['Buffer', 'process', 'global', '__dirname', '__filename', 'setImmediate'];
const MARKER = '__watchwire_node_global_';

export interface BrowserBundle {
  code: Uint8Array;
  bytes: number;
  gzipBytes: number;
  /** Modules in the bundle (paths relative to the project), largest first, with their bytes in the output. */
  inputs: { path: string; bytes: number }[];
  /** Free references to Node globals, by module: must be empty for the decode path and the client. */
  nodeGlobals: { global: string; module: string }[];
}

export interface BundleOptions {
  /** An entry file, or the source of one (resolved from the project root, so `watchwire` is the package itself). */
  entry: { file: string } | { contents: string };
  minify?: boolean;
  /** Also write the bundle here. */
  outfile?: string;
}

/** Bundles for the browser; rejects with esbuild's errors (a Node built-in import is one). */
export async function bundleForBrowser(options: BundleOptions): Promise<BrowserBundle> {
  const minify = options.minify ?? true;
  const common: BuildOptions = {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    absWorkingDir: ROOT,
    outfile: 'bundle.js',
    ...('file' in options.entry
      ? { entryPoints: [options.entry.file] }
      : { stdin: { contents: options.entry.contents, resolveDir: ROOT, sourcefile: 'entry.js', loader: 'ts' } }),
  };
  const result = await build({ ...common, minify });
  const code = result.outputFiles![0]!.contents;
  const output = Object.values(result.metafile!.outputs)[0]!;
  const inputs = Object.entries(output.inputs)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  if (options.outfile !== undefined) {
    mkdirSync(dirname(options.outfile), { recursive: true });
    writeFileSync(options.outfile, code);
  }
  return { code, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs, nodeGlobals: await findNodeGlobals(common) };
}

/**
 * Bundles once more, unminified, with every Node global defined as a marker,
 * and reports which module each marker lands in. `typeof process` guards
 * count too: they show where a dependency probes for Node.
 */
async function findNodeGlobals(common: BuildOptions): Promise<{ global: string; module: string }[]> {
  const define = Object.fromEntries(NODE_GLOBALS.map((name) => [name, MARKER + name]));
  const result = await build({ ...common, minify: false, define });
  const text = new TextDecoder().decode(result.outputFiles![0]!.contents);
  const found: { global: string; module: string }[] = [];
  // esbuild starts each module's code with a `// path` comment when not minified.
  let module = '?';
  for (const line of text.split('\n')) {
    const header = /^\/\/ (\S+)$/.exec(line);
    if (header !== null) module = header[1]!;
    for (const match of line.matchAll(new RegExp(`${MARKER}(\\w+)`, 'g'))) {
      const entry = { global: match[1]!, module };
      if (!found.some((f) => f.global === entry.global && f.module === entry.module)) found.push(entry);
    }
  }
  return found;
}

/** The inspector page's script, as `npm run build` writes it. */
export function bundleInspector(outfile: string = INSPECTOR_OUTFILE): Promise<BrowserBundle> {
  return bundleForBrowser({ entry: { file: INSPECTOR_ENTRY }, outfile });
}

/** What a user imports, per entry whose size the README reports. */
export const SIZE_ENTRIES: { name: string; contents: string }[] = [
  { name: 'JSON decode (tree-shaken `watchwire`)', contents: `export { jsonCodec, decodeStream, createDecoderStream, CodecRegistry, DecodeError } from 'watchwire';` },
  { name: 'CBOR decode', contents: `export { cborCodec, decodeStream, createDecoderStream } from 'watchwire';` },
  { name: 'YAML decode', contents: `export { yamlCodec, decodeStream, createDecoderStream } from 'watchwire';` },
  { name: '`watchwire/protobuf` (all built-in schemas)', contents: `export * from 'watchwire/protobuf'; export { decodeStream } from 'watchwire';` },
  { name: '`watchwire/protobuf/core-v1` (core/v1 schemas only)', contents: `export { protobufCodec } from 'watchwire/protobuf/core-v1'; export { decodeStream } from 'watchwire';` },
  { name: 'watch client, JSON only (`new Watch` + `jsonCodec`)', contents: `export { Watch, CodecRegistry, jsonCodec } from 'watchwire';` },
  { name: 'watch client, protobuf + JSON', contents: `export { Watch, CodecRegistry, jsonCodec } from 'watchwire'; export { protobufCodec } from 'watchwire/protobuf';` },
  { name: 'watch client (`watch`, every codec)', contents: `export { watch } from 'watchwire';` },
  { name: '`watchwire` (everything)', contents: `export * from 'watchwire';` },
];
