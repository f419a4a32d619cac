import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyFieldFilter, compileFieldFilter, fieldAction } from 'watchwire';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'p',
    namespace: 'ns',
    uid: 'u',
    resourceVersion: '7',
    labels: { app: 'web' },
    annotations: { 'a.b/c': 'x', keep: 'y' },
    managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': {} } }],
  },
  spec: { containers: [{ name: 'a', image: 'i1', args: ['x'] }, { name: 'b', image: 'i2' }] },
  status: { phase: 'Running' },
});

describe('field filter', () => {
  it('compiles nothing when nothing is selected', () => {
    assert.equal(compileFieldFilter(undefined), undefined);
    assert.equal(compileFieldFilter({ dropFields: [], keepFields: [] }), undefined);
  });

  it('drops a path and leaves the rest (and the input) untouched', () => {
    const input = pod();
    const out = applyFieldFilter(input, compileFieldFilter({ dropFields: ['metadata.managedFields'] })!) as ReturnType<typeof pod>;
    const expected = pod() as Partial<ReturnType<typeof pod>> & { metadata: Record<string, unknown> };
    delete expected.metadata.managedFields;
    assert.deepEqual(out, expected);
    assert.deepEqual(input, pod());
  });

  it('goes through arrays and keeps escaped dots in keys', () => {
    const filter = compileFieldFilter({ dropFields: ['spec.containers.image', 'metadata.annotations.a\\.b/c'] })!;
    const out = applyFieldFilter(pod(), filter) as ReturnType<typeof pod>;
    assert.deepEqual(out.spec.containers, [{ name: 'a', args: ['x'] }, { name: 'b' }]);
    assert.deepEqual(out.metadata.annotations, { keep: 'y' });
  });

  it('keeps only the listed paths and the identity paths, then drops inside them', () => {
    const filter = compileFieldFilter({ keepFields: ['status.phase', 'metadata'], dropFields: ['metadata.managedFields', 'metadata.labels'] })!;
    const out = applyFieldFilter(pod(), filter);
    const m = pod().metadata;
    assert.deepEqual(out, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, annotations: m.annotations },
      status: { phase: 'Running' },
    });
    assert.deepEqual(applyFieldFilter(pod(), compileFieldFilter({ keepFields: [['spec', 'containers', 'name']] })!), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', uid: 'u', resourceVersion: '7' },
      spec: { containers: [{ name: 'a' }, { name: 'b' }] },
    });
  });

  it('refuses to drop what a watch needs, and empty keys', () => {
    assert.throws(() => compileFieldFilter({ dropFields: ['metadata'] }), /metadata\.name/);
    assert.throws(() => compileFieldFilter({ dropFields: ['metadata.resourceVersion'] }), RangeError);
    assert.throws(() => compileFieldFilter({ dropFields: ['a..b'] }), /empty key/);
  });

  it('keeps __proto__ as plain data', () => {
    const input = JSON.parse('{"kind":"X","__proto__":{"polluted":1},"drop":1}');
    const out = applyFieldFilter(input, compileFieldFilter({ dropFields: ['drop'] })!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['kind', '__proto__']);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('property: fieldAction agrees with applyFieldFilter on the top level', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'kind'), fc.integer()), fc.subarray(['a', 'b', 'c']), fc.boolean(), (obj, paths, keep) => {
        const filter = compileFieldFilter(keep ? { keepFields: paths } : { dropFields: paths });
        if (filter === undefined) return;
        const out = applyFieldFilter(obj, filter) as Record<string, unknown>;
        for (const key of Object.keys(obj)) assert.equal(key in out, fieldAction(filter, key) !== 'skip');
      }),
      { seed: 1315, numRuns: 500 },
    );
  });
});
