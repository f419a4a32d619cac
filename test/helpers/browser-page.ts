/**
 * The test page's script: bundled by esbuild for the browser from the
 * package's own entries (`watchwire`, `watchwire/protobuf`), loaded in
 * Chromium by test/browser.test.ts, and driven through `window.watchwireTest`.
 * Results go back as JSON text so that Node compares exactly what was decoded.
 */
import { CodecRegistry, type WatchEvent, cborCodec, createDecoderStream, decodeStream, jsonCodec, watch, yamlCodec } from 'watchwire';
import { protobufCodec } from 'watchwire/protobuf';

const registry = new CodecRegistry([jsonCodec, cborCodec, protobufCodec, yamlCodec]);

export interface WatchRun {
  format: string;
  path: string;
  resourceVersion: string;
  count: number;
  timeoutMs: number;
}

async function watchFormat(run: WatchRun): Promise<string> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), run.timeoutMs);
  const signals: string[] = [];
  let contentType = '';
  const events: WatchEvent[] = [];
  const w = watch({
    url: new URL(run.path, location.origin),
    registry,
    formats: [run.format],
    resourceVersion: run.resourceVersion,
    signal: controller.signal,
    backoff: { initialMs: 20, random: () => 0.5 },
    stallTimeoutMs: 5_000,
    onSignal: (s) => {
      signals.push(s.type);
      if (s.type === 'connected') contentType = s.contentType;
    },
  });
  try {
    for await (const event of w) {
      events.push(event);
      if (events.length >= run.count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return JSON.stringify({ events, signals, contentType, stats: w.stats, fetchIsNative: String(fetch).includes('[native code]') });
}

/** A recorded stream fetched as a file: once through decodeStream, once through pipeThrough. */
async function decodeRecorded(path: string, format: string): Promise<string> {
  const codec = registry.get(format);
  const viaIterator: WatchEvent[] = [];
  for await (const event of decodeStream((await fetch(path)).body!, codec)) viaIterator.push(event);
  const viaPipe: WatchEvent[] = [];
  const reader = (await fetch(path)).body!.pipeThrough(createDecoderStream(codec)).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    viaPipe.push(value);
  }
  return JSON.stringify({ viaIterator, viaPipe });
}

/** Node globals a shim would have brought: none may exist on the page. */
function nodeGlobals(): string[] {
  return ['Buffer', 'process', 'global', 'require'].filter((name) => name in globalThis);
}

Object.assign(globalThis, { watchwireTest: { watchFormat, decodeRecorded, nodeGlobals } });
