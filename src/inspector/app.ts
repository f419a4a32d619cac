/**
 * The inspector page's script (bundled by esbuild at build time; runs in the
 * browser). Watches the server it came from with the real watch client, in
 * one format or through negotiation, and shows every event with its size on
 * the wire and decode time, and per-watch counters side by side: what the
 * same stream costs in each format.
 */
import type { WatchEvent } from '../core/event.js';
import { createRegistry } from '../formats/index.js';
import { CodecRegistry } from '../negotiate.js';
import { Watch, type WatchSignal } from '../client/watch.js';
import { CodecMeter, instrumentCodec } from './instrument.js';

const MAX_ROWS = 500;
const FORMATS = ['protobuf', 'cbor', 'json'] as const;

interface Running {
  id: number;
  /** `json`, or `negotiate` */
  choice: string;
  /** The format the server answered with (known once connected). */
  format: string | undefined;
  contentType: string;
  meter: CodecMeter;
  watch: Watch;
  controller: AbortController;
  state: 'connecting' | 'watching' | 'reconnecting' | 'stopped' | 'failed';
  /** Why it failed, shown on its card. */
  failure?: string;
  card: HTMLElement;
  chip: HTMLElement;
}

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

const running = new Map<number, Running>();
let nextId = 1;
let eventNumber = 0;
let pendingRows: HTMLTableRowElement[] = [];
let renderQueued = false;
const dirty = new Set<Running>();

byId('server').textContent = location.origin;
byId('start').addEventListener('click', () => start(byId<HTMLSelectElement>('format').value));
byId('compare').addEventListener('click', () => {
  for (const format of FORMATS) start(format);
});
byId('stop-all').addEventListener('click', () => {
  for (const r of running.values()) stop(r);
});
byId('clear').addEventListener('click', () => {
  byId('events').replaceChildren();
  eventNumber = 0;
  byId('event-count').textContent = '';
  for (const r of [...running.values()]) if (r.state === 'stopped' || r.state === 'failed') forget(r);
});

function start(choice: string): void {
  const id = nextId++;
  const meter = new CodecMeter();
  // Every codec instrumented, each watch its own meter: the counters are this watch's alone.
  const registry = new CodecRegistry(createRegistry().list().map((codec) => instrumentCodec(codec, meter)));
  const controller = new AbortController();
  const path = byId<HTMLInputElement>('path').value.trim() || '/api/v1/pods';
  const w = new Watch({
    url: new URL(path, location.origin),
    registry,
    ...(choice === 'negotiate' ? {} : { formats: [choice] }),
    signal: controller.signal,
    backoff: { initialMs: 200, maxMs: 5_000 },
    onSignal: (signal) => onSignal(r, signal),
  });
  const card = el('div', { className: 'card' });
  card.dataset.watch = String(id);
  const chip = el('span', { className: 'chip' });
  const r: Running = { id, choice, format: undefined, contentType: '', meter, watch: w, controller, state: 'connecting', card, chip };
  running.set(id, r);
  placeholders();
  byId('counters').append(card);
  byId('watches').append(chip);
  renderCard(r);
  void consume(r);
}

async function consume(r: Running): Promise<void> {
  try {
    for await (const event of r.watch) addRow(r, event);
    if (r.state !== 'failed') r.state = 'stopped';
  } catch (error) {
    r.state = 'failed';
    r.failure = error instanceof Error ? error.message : String(error);
    log(`watch ${r.id} (${label(r)}) failed: ${r.failure}`);
  }
  renderCard(r);
}

function stop(r: Running): void {
  r.controller.abort();
  r.state = 'stopped';
  renderCard(r);
}

function forget(r: Running): void {
  running.delete(r.id);
  r.card.remove();
  r.chip.remove();
  placeholders();
}

function onSignal(r: Running, signal: WatchSignal): void {
  switch (signal.type) {
    case 'connected':
      r.format = signal.format;
      r.contentType = signal.contentType;
      r.state = 'watching';
      break;
    case 'resumed':
      log(`watch ${r.id} (${label(r)}) resumed after resourceVersion ${signal.resourceVersion}`);
      break;
    case 'restart':
      log(`watch ${r.id} (${label(r)}) starts over (${signal.reason}): the current objects come again as ADDED`);
      break;
    case 'disconnected':
      if (!r.controller.signal.aborted) r.state = 'reconnecting';
      break;
    case 'error':
      log(`watch ${r.id} (${label(r)}): ${signal.error instanceof Error ? signal.error.message : String(signal.error)}${signal.willRetry ? ' (retrying)' : ''}`);
      break;
    default:
      break;
  }
  renderCard(r);
}

function label(r: Running): string {
  if (r.choice !== 'negotiate') return r.choice;
  return r.format === undefined ? 'negotiate' : `negotiate → ${r.format}`;
}

function addRow(r: Running, event: WatchEvent): void {
  const cost = r.meter.costOf(event);
  const meta = event.object.metadata;
  const name = meta?.name === undefined ? '' : meta.namespace === undefined ? meta.name : `${meta.namespace}/${meta.name}`;
  const row = el(
    'tr',
    {},
    el('td', { className: 'num', textContent: String(++eventNumber) }),
    el('td', { textContent: `${r.id} · ${label(r)}` }),
    el('td', { className: `type-${event.type}`, textContent: event.type }),
    el('td', { textContent: event.object.kind ?? '' }),
    el('td', { textContent: name }),
    el('td', { className: 'num', textContent: meta?.resourceVersion ?? '' }),
    el('td', { className: 'num', textContent: cost === undefined ? '' : String(cost.frameBytes) }),
    el('td', { className: 'num', textContent: cost === undefined ? '' : (cost.decodeMs * 1000).toFixed(0) }),
  );
  pendingRows.push(row);
  queueRender(r);
}

/** Rows and counters are drawn once per frame: a fast stream must not re-layout the page per event. */
function queueRender(r: Running): void {
  dirty.add(r);
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    const body = byId('events');
    body.prepend(...pendingRows.reverse());
    pendingRows = [];
    while (body.childElementCount > MAX_ROWS) body.lastElementChild!.remove();
    byId('event-count').textContent = `(${eventNumber}${eventNumber > MAX_ROWS ? `, newest ${MAX_ROWS} shown` : ''})`;
    for (const d of dirty) renderCard(d);
    dirty.clear();
  });
}
function renderCard(r: Running): void {
  const { stats } = r.watch;
  const events = stats.events + stats.bookmarks;
  const perEvent = (value: number): string => (events === 0 ? '–' : (value / events).toFixed(value / events >= 100 ? 0 : 1));
  const fields: [string, string, string][] = [
    ['events', 'events', String(stats.events)],
    ['bookmarks', 'bookmarks', String(stats.bookmarks)],
    ['bytes', 'bytes on the wire', String(r.meter.bytes)],
    ['bytes-per-event', 'bytes / event', perEvent(r.meter.bytes)],
    ['decode-us', 'decode µs / event', perEvent(r.meter.decodeMs * 1000)],
    ['connections', 'connections', String(stats.connections)],
  ];
  r.card.replaceChildren(
    el('h3', { textContent: `${r.id} · ${label(r)}` }),
    el('div', { className: 'ct', textContent: r.failure ?? (r.contentType || r.state) }),
    el('dl', {}, ...fields.flatMap(([key, name, value]) => [el('dt', { textContent: name }), counter(key, value)])),
  );
  const stopButton = el('button', { textContent: '✕', title: 'stop this watch', disabled: r.state === 'stopped' || r.state === 'failed' });
  stopButton.addEventListener('click', () => stop(r));
  r.chip.replaceChildren(`${r.id} · ${label(r)}`, el('span', { className: 'state', textContent: r.state }), stopButton);
  r.chip.dataset.state = r.state;
}

function counter(key: string, value: string): HTMLElement {
  const dd = el('dd', { textContent: value });
  dd.dataset.k = key;
  return dd;
}

function placeholders(): void {
  for (const id of ['watches', 'counters']) {
    const box = byId(id);
    const empty = box.querySelector('.empty');
    if (running.size > 0) empty?.remove();
    else if (empty === null) box.append(el('span', { className: 'empty', textContent: id === 'watches' ? 'No watch running.' : 'Counters appear when a watch starts.' }));
  }
}

const LOG_LINES = 6;

/** The newest lines first; a few kept, so one watch's retries do not hide another's failure. */
function log(text: string): void {
  const box = byId('log');
  const newest = box.firstElementChild as HTMLElement | null;
  if (newest?.dataset.text === text) {
    // The same line again (a retry loop): count it instead of scrolling the others away.
    const times = Number(newest.dataset.times) + 1;
    newest.dataset.times = String(times);
    newest.textContent = `${new Date().toLocaleTimeString()}  ${text}  ×${times}`;
    return;
  }
  const line = el('div', { textContent: `${new Date().toLocaleTimeString()}  ${text}` });
  line.dataset.text = text;
  line.dataset.times = '1';
  box.prepend(line);
  while (box.childElementCount > LOG_LINES) box.lastElementChild!.remove();
}
