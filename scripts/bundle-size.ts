/**
 * `node --import tsx scripts/bundle-size.ts`: browser bundle sizes per entry
 * (esbuild, platform 'browser', minified; gzip -9), as the README reports
 * them. Needs dist/ (`npm run build`): entries import the package by name.
 */
import { SIZE_ENTRIES, bundleForBrowser } from './bundle-lib.ts';

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
const rows: string[] = ['| entry | minified | gzip | largest parts |', '|---|---:|---:|---|'];
for (const entry of SIZE_ENTRIES) {
  const bundle = await bundleForBrowser({ entry: { contents: entry.contents } });
  const parts = bundle.inputs
    .slice(0, 3)
    .map((i) => `${i.path.replace(/^.*node_modules\//, '').replace(/^dist\//, '')} ${kb(i.bytes)}`)
    .join(', ');
  rows.push(`| ${entry.name} | ${kb(bundle.bytes)} | ${kb(bundle.gzipBytes)} | ${parts} |`);
  // protobufjs probes `typeof global !== "undefined"` to detect Node: guarded, needs no shim.
  const globals = bundle.nodeGlobals.map((g) => `${g.global} in ${g.module}`).filter((g) => g !== 'global in node_modules/protobufjs/src/util/minimal.js');
  if (globals.length > 0) {
    process.stderr.write(`${entry.name}: Node globals referenced: ${globals.join('; ')}\n`);
    process.exitCode = 1;
  }
}
process.stdout.write(rows.join('\n') + '\n');
