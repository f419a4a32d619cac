import { readFileSync } from 'node:fs';

/** The installed version of a top-level package (the repo's node_modules), or 'missing'. */
export function peerVersion(name: string): string {
  try {
    const file = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'missing';
  }
}
