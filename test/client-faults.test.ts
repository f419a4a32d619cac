/**
 * Random fault schedules against the replay server over real sockets: drops
 * at random byte offsets, stalls, 410s, 5xx/429, clean server-side ends, live
 * changes while the client reconnects. Each run ends with the client's view
 * (events, and LISTs after an expiry) equal to the server's changes: nothing
 * lost, nothing twice. Timers are scaled to milliseconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type KubeObject, type WatchEvent, watch } from 'watchwire';
import { type FaultPlan, type ReplayServer, generatePods, startReplayServer } from 'watchwire/server';
import { FORMATS, podsUrl } from './helpers/replay-client.ts';

const RUNS = Number(process.env.WATCHWIRE_FAULT_RUNS ?? 1000);
const START_RV = 100;

const faultArb: fc.Arbitrary<FaultPlan | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ dropAfterEvents: fc.nat(5), dropAtByte: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }) }).map(({ dropAfterEvents, dropAtByte }) =>
    dropAtByte === undefined ? { dropAfterEvents } : { dropAfterEvents, dropAtByte },
  ),
  fc.record({ stallAfterEvents: fc.nat(3) }),
  fc.record({ closeAfterEvents: fc.nat(4) }),
  fc.constant({ expire: true }),
  fc.constantFrom(500, 503, 429).map((code): FaultPlan => ({ status: code === 429 ? { code, retryAfterSeconds: 0 } : { code } })),
);

const scheduleArb = fc.record({
  format: fc.constantFrom(...FORMATS),
  pods: fc.integer({ min: 1, max: 10 }),
  /** A live change is made when the client has delivered this many events (or is caught up). */
  appendsAt: fc.array(fc.nat(15), { maxLength: 6 }),
  faults: fc.array(faultArb, { maxLength: 6 }),
  failFirstList: fc.boolean(),
});
type Schedule = fc.Infer<typeof scheduleArb>;

type LogEntry = { kind: 'event'; event: WatchEvent } | { kind: 'list'; resourceVersion: string; items: KubeObject[] };

/** The live change number `i`: adds, updates and deletes, always valid for the store. */
function liveChange(server: ReplayServer, i: number): void {
  const name = `live-${Math.floor(i / 3)}`;
  const existing = server.store.get('/pods', 'default', name);
  if (existing === undefined) {
    const base = generatePods(1)[0]!;
    server.append('ADDED', { ...base, metadata: { ...base.metadata, name } });
  }
  else if (i % 3 === 1) server.append('MODIFIED', { ...existing, status: { phase: 'Succeeded' } });
  else server.append('DELETED', existing);
}

/** The objects at `resourceVersion`, from the server's history. */
function stateAt(server: ReplayServer, resourceVersion: number): KubeObject[] {
  const objects = new Map<string, KubeObject>();
  for (const change of server.store.changes()) {
    if (change.resourceVersion > resourceVersion) break;
    const meta = change.event.object.metadata!;
    const id = `${meta.namespace}/${meta.name}`;
    if (change.event.type === 'DELETED') objects.delete(id);
    else objects.set(id, change.event.object);
  }
  return [...objects.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o);
}

/** Checks the client's log against the server's history: contiguous, no loss, no duplicate. */
function verify(server: ReplayServer, log: LogEntry[]): void {
  const history = server.store.changes();
  let cursor = START_RV;
  for (const entry of log) {
    if (entry.kind === 'list') {
      const rv = Number(entry.resourceVersion);
      assert.ok(rv >= cursor, `list at ${rv} before ${cursor}`);
      cursor = rv;
      assert.deepStrictEqual(entry.items, stateAt(server, rv));
      continue;
    }
    const expected = history.find((h) => h.resourceVersion > cursor);
    assert.ok(expected !== undefined, `event after the end of history: ${entry.event.object.metadata?.resourceVersion}`);
    assert.deepStrictEqual(entry.event, expected.event, `after ${cursor}`);
    cursor = expected.resourceVersion;
  }
  assert.equal(cursor, server.resourceVersion, 'the client reached the last change');
}

async function run(schedule: Schedule, totals: Record<string, number>): Promise<void> {
  if (process.env.WATCHWIRE_FAULT_DEBUG) process.stderr.write(`run ${JSON.stringify(schedule)}\n`);
  const server = await startReplayServer({
    generate: { pods: schedule.pods },
    bookmarkIntervalMs: 15,
    faults: (request) => {
      if (request.kind === 'list') return request.index === 0 && schedule.failFirstList ? { status: { code: 500 } } : undefined;
      return schedule.faults[request.index];
    },
  });
  const log: LogEntry[] = [];
  const controller = new AbortController();
  const appendsAt = [...schedule.appendsAt].sort((a, b) => a - b);
  let appended = 0;
  let delivered = 0;
  let position = START_RV;
  /** Makes the live changes due, and stops once the client holds the last one. */
  const step = (): void => {
    while (appended < appendsAt.length && (appendsAt[appended]! <= delivered || position === server.resourceVersion)) {
      liveChange(server, appended++);
    }
    if (appended === appendsAt.length && position === server.resourceVersion) controller.abort();
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, 15_000);
  const w = watch({
    url: podsUrl(server),
    formats: [schedule.format],
    resourceVersion: String(START_RV),
    signal: controller.signal,
    deliverBookmarks: false,
    stallTimeoutMs: 40,
    backoff: { initialMs: 1, maxMs: 4 },
    onList: (list) => {
      log.push({ kind: 'list', resourceVersion: list.resourceVersion, items: list.items });
      position = Number(list.resourceVersion);
      // Caught up by the list itself: nothing else may come unless a change is made now.
      queueMicrotask(step);
    },
    onSignal: (s) => {
      if (process.env.WATCHWIRE_FAULT_DEBUG) process.stderr.write(`  ${Math.round(performance.now())} ${JSON.stringify(s).slice(0, 200)}\n`);
      if (s.type === 'connecting') totals.connections!++;
      if (s.type === 'stalled') totals.stalls!++;
      if (s.type === 'expired') totals.expired!++;
      if (s.type === 'resumed') totals.resumed!++;
    },
  });
  try {
    step();
    for await (const event of w) {
      log.push({ kind: 'event', event });
      delivered++;
      position = Number(event.object.metadata?.resourceVersion);
      step();
    }
  } finally {
    clearTimeout(timer);
    await server.close();
  }
  assert.ok(!timedOut, 'schedule timed out');
  totals.events! += delivered;
  verify(server, log);
}

test(`${RUNS} random fault schedules: the client's view equals the server's changes`, { timeout: 290_000 }, async (t) => {
  const totals: Record<string, number> = { connections: 0, stalls: 0, expired: 0, resumed: 0, events: 0 };
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(scheduleArb, (schedule) => run(schedule, totals)),
    { seed: Number(process.env.WATCHWIRE_FAULT_SEED ?? 20261125), numRuns: RUNS, endOnFailure: true, reporter: (details) => { if (details.failed) throw Object.assign(new Error(`schedule ${JSON.stringify(details.counterexample)} failed: ${String((details.errorInstance as Error)?.message ?? details.errorInstance)}`), { cause: details.errorInstance }); } },
  );
  t.diagnostic(`${RUNS} schedules in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(totals)}`);
  // The schedules did exercise the faults (a generator that produced none would prove nothing).
  assert.ok(totals.resumed! > RUNS / 4 && totals.expired! > RUNS / 20 && totals.stalls! > RUNS / 20, JSON.stringify(totals));
});
