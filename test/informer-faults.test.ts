/**
 * The informer against the real replay server under random fault schedules
 * (fixed seed): connections cut mid-frame, stalls, clean ends, 410 on the
 * watch (ERROR event, and real ones from compaction), 429/500/503 with
 * Retry-After on watches and LISTs, while objects are added, changed,
 * deleted and re-created live. Both initial-state paths: watch-list, and a
 * server that refuses it (the informer falls back to a paged LIST).
 *
 * Each handler call is checked as it is made against a replay of the calls
 * before it (an add of a key already there, an update whose `old` is not the
 * last state told, an update that changes nothing, a delete of a key not
 * there: each is a missed or duplicated call). At quiescence the store, the
 * replay and the server's state are equal. Timers are milliseconds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { type InformerChange, type InformerSignal, type KubeObject, createInformer, createRegistry, objectKey } from 'watchwire';
import { type FaultPlan, type FaultRequest, type ReplayServer, generatePods, startReplayServer } from 'watchwire/server';
import { FORMATS, podsUrl } from './helpers/replay-client.ts';

const RUNS = Number(process.env.WATCHWIRE_INFORMER_RUNS ?? 1000);
const registry = createRegistry();

const watchFaultArb: fc.Arbitrary<FaultPlan | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc
      .record({ dropAfterEvents: fc.nat(6), dropAtByte: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }) })
      .map(({ dropAfterEvents, dropAtByte }): FaultPlan => (dropAtByte === undefined ? { dropAfterEvents } : { dropAfterEvents, dropAtByte })),
  },
  { weight: 1, arbitrary: fc.record({ stallAfterEvents: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ closeAfterEvents: fc.nat(6) }) },
  { weight: 2, arbitrary: fc.constant<FaultPlan>({ expire: true }) },
  { weight: 2, arbitrary: fc.constantFrom(500, 503, 429).map((code): FaultPlan => ({ status: { code, retryAfterSeconds: 1 } })) },
);

/** On a LIST page the body is one frame: cut it mid-way, never answer, 410 (on a continue: the list starts over), or an error status. */
const listFaultArb: fc.Arbitrary<FaultPlan | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom(500, 503, 429).map((code): FaultPlan => ({ status: { code, retryAfterSeconds: 1 } })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 2000 }).map((dropAtByte): FaultPlan => ({ dropAfterEvents: 0, dropAtByte })) },
  { weight: 2, arbitrary: fc.constant<FaultPlan>({ expire: true }) },
  { weight: 1, arbitrary: fc.constant<FaultPlan>({ stallAfterEvents: 0 }) },
);

const changeArb = fc.record({
  /** Made once the informer has made this many handler calls (or is caught up). */
  at: fc.nat(14),
  op: fc.constantFrom('add', 'modify', 'modify', 'delete', 'recreate', 'compact', 'vanish'),
  pick: fc.nat(),
});

const scheduleArb = fc.record({
  format: fc.constantFrom(...FORMATS),
  /** false: the server refuses watch-list (its watchList option) and the informer falls back to paged LISTs. */
  watchList: fc.boolean(),
  /** LISTs in YAML (a server lists in it; no server streams it). */
  yamlList: fc.boolean(),
  pods: fc.integer({ min: 0, max: 6 }),
  pageSize: fc.integer({ min: 1, max: 3 }),
  /** Continue tokens from this page on are expired early (410 on the continue request). */
  continueExpiresAfterPages: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  changes: fc.array(changeArb, { minLength: 1, maxLength: 10 }),
  watchFaults: fc.array(watchFaultArb, { maxLength: 6 }),
  listFaults: fc.array(listFaultArb, { maxLength: 3 }),
});
type Schedule = fc.Infer<typeof scheduleArb>;

/** What the informer keeps: the object without managedFields (the common transform). */
function transform(object: KubeObject): KubeObject {
  const { managedFields: _drop, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

let uids = 0;
function liveChange(server: ReplayServer, change: Schedule['changes'][number], n: number): void {
  const objects = server.store.list('/pods');
  const existing = objects.length === 0 ? undefined : objects[change.pick % objects.length]!;
  const op = existing === undefined && change.op !== 'compact' ? 'add' : change.op;
  switch (op) {
    case 'add': {
      const base = generatePods(1)[0]!;
      server.append('ADDED', { ...base, metadata: { ...base.metadata, name: `live-${n}`, uid: `uid-${++uids}`, managedFields: [{ manager: 'test', operation: 'Update' }] } });
      break;
    }
    case 'modify':
      server.append('MODIFIED', { ...existing!, status: { phase: `phase-${n}` } });
      break;
    case 'delete':
      server.append('DELETED', existing!);
      break;
    case 'recreate':
      server.append('DELETED', existing!);
      server.append('ADDED', { ...existing!, metadata: { ...existing!.metadata, uid: `uid-${++uids}` } });
      break;
    case 'compact':
      // Forget history: a watch (or resume) from before now gets a real 410 and must re-list.
      server.compact();
      break;
    case 'vanish':
      // Deleted, and the history forgotten before the informer saw it: only a re-list can tell.
      server.append('DELETED', existing!);
      server.compact();
      break;
  }
}

function stateOf(objects: Iterable<KubeObject>): Map<string, KubeObject> {
  return new Map([...objects].map((o) => [objectKey(o), o]));
}

/** Checks one handler call against the replay so far, then applies it. */
function replay(state: Map<string, KubeObject>, change: InformerChange<KubeObject>): void {
  const key = objectKey(change.object);
  const known = state.get(key);
  switch (change.type) {
    case 'add':
      assert.equal(known, undefined, `add of ${key}, already added`);
      state.set(key, change.object);
      break;
    case 'update':
      assert.ok(known !== undefined, `update of ${key}, never added`);
      assert.deepStrictEqual(change.old, known, `update of ${key}: old is not the last state told`);
      assert.ok(
        Number(change.object.metadata?.resourceVersion) > Number(known.metadata?.resourceVersion),
        `update of ${key} from ${known.metadata?.resourceVersion} to ${change.object.metadata?.resourceVersion}: a duplicate or a step back`,
      );
      state.set(key, change.object);
      break;
    case 'delete':
      assert.ok(known !== undefined, `delete of ${key}, not there`);
      if (change.finalStateUnknown) assert.deepStrictEqual(change.object, known, 'a final-state-unknown delete carries the last state told');
      else assert.equal(change.object.metadata?.uid, known.metadata?.uid, `delete of ${key}: another object`);
      state.delete(key);
      break;
  }
}

async function run(schedule: Schedule, totals: Record<string, number>): Promise<void> {
  const server = await startReplayServer({
    generate: { pods: schedule.pods },
    bookmarkIntervalMs: 10,
    watchList: schedule.watchList,
    ...(schedule.continueExpiresAfterPages === undefined ? {} : { continueExpiry: { afterPages: schedule.continueExpiresAfterPages } }),
    faults: (request: FaultRequest) => {
      if (request.kind === 'list') return schedule.listFaults[request.index];
      if (request.kind !== 'watch') return undefined;
      // A server without watch-list refuses the first request by itself (422); its faults go to the watches after.
      return schedule.watchFaults[schedule.watchList ? request.index : request.index - 1];
    },
  });
  const replayed = new Map<string, KubeObject>();
  const failures: unknown[] = [];
  let calls = 0;
  const check = (change: InformerChange<KubeObject>): void => {
    calls++;
    replay(replayed, change);
  };
  const informer = createInformer({
    url: podsUrl(server),
    registry,
    formats: [schedule.format],
    ...(schedule.yamlList ? { listFormats: ['yaml'] } : {}),
    pageSize: schedule.pageSize,
    transform,
    stallTimeoutMs: 30,
    backoff: { initialMs: 1, maxMs: 4 },
    maxRetryAfterMs: 2,
    onHandlerError: (error) => failures.push(error),
    onSignal: (s: InformerSignal) => {
      if (process.env.WATCHWIRE_FAULT_DEBUG) process.stderr.write(`  ${Math.round(performance.now())} ${JSON.stringify(s).slice(0, 160)}\n`);
      if (s.type === 'stalled' || s.type === 'expired' || s.type === 'resumed' || s.type === 'watch-list-unsupported' || s.type === 'initial-events-end') totals[s.type] = (totals[s.type] ?? 0) + 1;
      if (s.type === 'relist') totals.lists!++;
      if (s.type === 'list-restart') totals.listRestarts!++;
      if (s.type === 'backoff' && s.reason === 'retry-after') totals.retryAfter!++;
    },
  });
  informer.subscribe({
    onAdd: (object) => check({ type: 'add', object }),
    onUpdate: (old, object) => check({ type: 'update', old, object }),
    onDelete: (object, { finalStateUnknown }) => {
      if (finalStateUnknown) totals.vanished!++;
      check({ type: 'delete', object, finalStateUnknown });
    },
  });
  const pending = [...schedule.changes].sort((a, b) => a.at - b.at);
  let made = 0;
  const caughtUp = (): boolean => informer.hasSynced && informer.resourceVersion === String(server.resourceVersion);
  const expected = (): Map<string, KubeObject> => stateOf(server.state().map(transform));
  try {
    void informer.start();
    const deadline = performance.now() + 10_000;
    for (;;) {
      while (made < pending.length && (pending[made]!.at <= calls || caughtUp())) liveChange(server, pending[made]!, made++);
      if (failures.length > 0) throw failures[0];
      if (made === pending.length && caughtUp()) {
        const store = stateOf(informer.list());
        const want = expected();
        if (store.size === want.size && isDeepStrictEqual(store, want)) break;
      }
      if (performance.now() > deadline) throw new Error(`not quiescent: informer at ${informer.resourceVersion}, server at ${server.resourceVersion}, synced ${informer.hasSynced}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    // Quiescent: a little longer, to catch a late duplicate call.
    await new Promise((r) => setTimeout(r, 3));
    if (failures.length > 0) throw failures[0];
    assert.deepStrictEqual(stateOf(informer.list()), expected(), 'store = server');
    assert.deepStrictEqual(replayed, expected(), 'replayed handler calls = server');
    totals.calls! += calls;
  } finally {
    informer.stop();
    await informer.done.catch(() => {});
    await server.close();
  }
  for (const r of server.requests) {
    if (r.kind !== 'list') continue;
    totals.listPages!++;
    if (r.url.includes('continue=')) totals.continues = (totals.continues ?? 0) + 1;
    if (schedule.yamlList && r.status === 200) assert.match(r.contentType ?? '', /yaml/, 'a YAML LIST');
    else if (r.status === 200) assert.doesNotMatch(r.contentType ?? '', /json/.test(schedule.format) ? /yaml/ : /json|yaml/, `a ${schedule.format} LIST`);
  }
}


test(`${RUNS} random fault schedules: the informer's store and its handler calls equal the server's state`, { timeout: 300_000 }, async (t) => {
  const totals: Record<string, number> = { calls: 0, lists: 0, listRestarts: 0, listPages: 0, vanished: 0, retryAfter: 0 };
  const byFormat: Record<string, number> = {};
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(scheduleArb, async (schedule) => {
      const path = `${schedule.format}/${schedule.watchList ? "watch-list" : schedule.yamlList ? "yaml LIST" : "LIST"}`;
      byFormat[path] = (byFormat[path] ?? 0) + 1;
      await run(schedule, totals);
    }),
    {
      seed: Number(process.env.WATCHWIRE_FAULT_SEED ?? 20261203),
      numRuns: RUNS,
      endOnFailure: true,
      reporter: (details) => {
        if (details.failed) {
          throw Object.assign(new Error(`schedule ${JSON.stringify(details.counterexample)} failed: ${String((details.errorInstance as Error)?.message ?? details.errorInstance)}`), {
            cause: details.errorInstance,
          });
        }
      },
    },
  );
  t.diagnostic(`${RUNS} schedules in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(totals)} ${JSON.stringify(byFormat)}`);
  // The schedules did exercise what they claim to (a generator that produced no faults would prove nothing).
  assert.ok(totals.expired! > RUNS / 10 && totals.resumed! > RUNS / 4 && totals.stalled! > RUNS / 50, JSON.stringify(totals));
  assert.ok(totals['watch-list-unsupported']! > RUNS / 4 && totals['initial-events-end']! > RUNS / 4 && totals.vanished! > RUNS / 20, JSON.stringify(totals));
  assert.ok(totals.retryAfter! > RUNS / 20 && totals.listRestarts! > RUNS / 20 && totals.continues! > RUNS / 4, JSON.stringify(totals));
});
