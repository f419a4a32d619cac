/**
 * The informer's store and reconcile, without a server: random mixes of
 * watch events and whole new states (re-lists). The handler calls, replayed
 * into an empty map, give the store's content; a re-list makes the store
 * equal to the listed state and calls nothing for an unchanged object;
 * indexes always agree with a scan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type InformerChange, InformerStore, type KubeObject, NAMESPACE_INDEX, applyWatchEvent, objectKey, reconcileStore } from 'watchwire';


interface Pod extends KubeObject {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; labels: { app: string } };
}

let rv = 1000;
function pod(name: string, namespace: string, uid: string, app: string): Pod {
  return { kind: 'Pod', apiVersion: 'v1', metadata: { name, namespace, uid, resourceVersion: String(++rv), labels: { app } } };
}

const opArb = fc.oneof(
  fc.record({
    kind: fc.constant('event' as const),
    type: fc.constantFrom('ADDED' as const, 'MODIFIED' as const, 'DELETED' as const),
    name: fc.constantFrom('a', 'b', 'c', 'd'),
    namespace: fc.constantFrom('x', 'y'),
    uid: fc.constantFrom('u1', 'u2'),
    app: fc.constantFrom('web', 'db'),
  }),
  fc.record({
    kind: fc.constant('list' as const),
    items: fc.uniqueArray(
      fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd', 'e'), namespace: fc.constantFrom('x', 'y'), uid: fc.constantFrom('u1', 'u2'), app: fc.constantFrom('web', 'db'), same: fc.boolean() }),
      { selector: (i) => `${i.namespace}/${i.name}`, maxLength: 6 },
    ),
  }),
);

/** Replays handler calls into a map, failing on any call that does not fit the state so far (a missed or duplicated call). */
function replay(state: Map<string, Pod>, change: InformerChange<Pod>): void {
  const key = objectKey(change.object);
  if (change.type === 'add') {
    assert.ok(!state.has(key), `add of ${key}, which is there`);
    state.set(key, change.object);
  } else if (change.type === 'update') {
    assert.deepEqual(state.get(key), change.old, `update of ${key}: old is not what the handlers were told`);
    assert.notEqual(change.old.metadata.resourceVersion, change.object.metadata.resourceVersion, `update of ${key} without a change`);
    state.set(key, change.object);
  } else {
    assert.ok(state.has(key), `delete of ${key}, which is not there`);
    if (change.finalStateUnknown) assert.deepEqual(state.get(key), change.object, 'a final-state-unknown delete carries the last known object');
    state.delete(key);
  }
}

test('random events and re-lists: the handler calls replay to the store, re-lists reconcile exactly, indexes agree (property)', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
      const store = new InformerStore<Pod>({ app: (p) => p.metadata.labels.app });
      const replayed = new Map<string, Pod>();
      for (const op of ops) {
        const calls: InformerChange<Pod>[] = [];
        const sink = (c: InformerChange<Pod>): void => {
          calls.push(c);
          replay(replayed, c);
          // The store holds this change already when the handler runs.
          const key = objectKey(c.object);
          if (c.type === 'delete') assert.ok(!store.has(key));
          else assert.equal(store.get(key), c.object);
        };
        if (op.kind === 'event') {
          const incoming = pod(op.name, op.namespace, op.uid, op.app);
          applyWatchEvent(store, op.type, { key: objectKey(incoming), entry: { object: incoming, uid: op.uid, resourceVersion: incoming.metadata.resourceVersion } }, sink);
        } else {
          const before = new Map([...store.all()].map(([k, e]) => [k, e]));
          const items = op.items.map((i) => {
            const key = `${i.namespace}/${i.name}`;
            const old = before.get(key);
            // `same`: the object did not change since the informer last saw it (same uid and version).
            const object = i.same && old !== undefined ? old.object : pod(i.name, i.namespace, i.uid, i.app);
            return { key, entry: { object, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion } };
          });
          reconcileStore(store, items, sink);
          assert.deepEqual(new Map(store.list().map((p) => [objectKey(p), p])), new Map(items.map((i) => [i.key, i.entry.object])));
          for (const item of items) {
            const old = before.get(item.key);
            if (old !== undefined && old.object === item.entry.object) assert.ok(!calls.some((c) => objectKey(c.object) === item.key), `a call for unchanged ${item.key}`);
          }
        }
        assert.deepEqual(new Map(store.list().map((p) => [objectKey(p), p])), replayed);
        for (const app of ['web', 'db']) {
          assert.deepEqual(new Set(store.byIndex('app', app)), new Set(store.list().filter((p) => p.metadata.labels.app === app)));
        }
        for (const ns of ['x', 'y']) assert.deepEqual(new Set(store.byIndex(NAMESPACE_INDEX, ns)), new Set(store.list().filter((p) => p.metadata.namespace === ns)));
      }
    }),
    { seed: 13001, numRuns: 1500 },
  );
});

test('a re-created object (same name, new uid) is a delete with finalStateUnknown and an add, not an update', () => {
  const store = new InformerStore<Pod>();
  const calls: string[] = [];
  const sink = (c: InformerChange<Pod>): void => {
    calls.push(`${c.type}${c.type === 'delete' ? `:${c.finalStateUnknown}` : ''} ${c.object.metadata.uid}`);
  };
  const first = pod('a', 'x', 'u1', 'web');
  reconcileStore(store, [{ key: 'x/a', entry: { object: first, uid: 'u1', resourceVersion: first.metadata.resourceVersion } }], sink);
  const again = pod('a', 'x', 'u2', 'web');
  reconcileStore(store, [{ key: 'x/a', entry: { object: again, uid: 'u2', resourceVersion: again.metadata.resourceVersion } }], sink);
  assert.deepEqual(calls, ['add u1', 'delete:true u1', 'add u2']);
});

test('byIndex on an unknown index throws (a typo is not an empty result); an index added late covers what is stored', () => {
  const store = new InformerStore<Pod>();
  const p = pod('a', 'x', 'u1', 'web');
  store.set('x/a', { object: p, uid: 'u1', resourceVersion: p.metadata.resourceVersion });
  assert.throws(() => store.byIndex('app', 'web'), /no index "app"/);
  store.addIndexer('app', (o) => o.metadata.labels.app);
  assert.deepEqual(store.byIndex('app', 'web'), [p]);
  assert.deepEqual(store.indexValues(NAMESPACE_INDEX), ['x']);
  store.delete('x/a');
  assert.deepEqual(store.indexValues('app'), []);
});
