/**
 * `watchwire serve --ui` (Node only): the inspector page as static routes of
 * the replay server. The page's script is the esbuild bundle that
 * `npm run build` writes next to this module (dist/inspector/inspector.js).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StaticFile, StaticRoutes } from '../server/replay-server.js';
import { INSPECTOR_HTML, INSPECTOR_SCRIPT_PATH } from './page.js';

/** Where `npm run build` puts the page's bundle. */
export const DEFAULT_INSPECTOR_BUNDLE = fileURLToPath(new URL('./inspector.js', import.meta.url));

export interface InspectorOptions {
  /** The bundle of ./app.ts: a file path (default DEFAULT_INSPECTOR_BUNDLE) or its bytes. */
  bundle?: string | Uint8Array;
}

/**
 * Cross-origin isolation: the page gets the fine-grained performance.now()
 * (5 µs instead of 100 µs in Chromium), which the per-event decode times need.
 * Everything it loads is same-origin, so nothing else changes.
 */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Routes `/` (the page) and `/inspector.js` (its script). Throws when the bundle is missing. */
export function inspectorRoutes(options: InspectorOptions = {}): StaticRoutes {
  const source = options.bundle ?? DEFAULT_INSPECTOR_BUNDLE;
  let script: Uint8Array;
  if (typeof source === 'string') {
    try {
      script = readFileSync(source);
    } catch (e) {
      throw new Error(`the inspector page's script is missing (${source}): run \`npm run build\``, { cause: e });
    }
  } else {
    script = source;
  }
  const page: StaticFile = { body: INSPECTOR_HTML, contentType: 'text/html; charset=utf-8', headers: ISOLATION };
  const js: StaticFile = { body: script, contentType: 'text/javascript; charset=utf-8', headers: ISOLATION };
  return (pathname) => {
    if (pathname === '/' || pathname === '/index.html' || pathname === '/ui' || pathname === '/ui/') return page;
    if (pathname === INSPECTOR_SCRIPT_PATH) return js;
    return undefined;
  };
}

/** The first route set that answers a path. */
export function combineRoutes(...routes: StaticRoutes[]): StaticRoutes {
  return (pathname) => {
    for (const route of routes) {
      const file = route(pathname);
      if (file !== undefined) return file;
    }
    return undefined;
  };
}
