/**
 * Part of `npm run build` (after tsc): bundles the inspector page's script
 * (src/inspector/app.ts) for the browser into dist/inspector/inspector.js,
 * which `watchwire serve --ui` serves. Nothing is bundled at run time.
 */
import { INSPECTOR_OUTFILE, bundleInspector } from './bundle-lib.ts';

const bundle = await bundleInspector(INSPECTOR_OUTFILE);
const leaks = bundle.nodeGlobals.filter((g) => !g.module.includes('node_modules/'));
if (leaks.length > 0) throw new Error(`inspector bundle references Node globals: ${leaks.map((g) => `${g.global} in ${g.module}`).join('; ')}`);
