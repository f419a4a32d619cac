/**
 * Decode-time field selection: `dropFields` (remove these paths) and
 * `keepFields` (keep only these paths) compiled once into a tree that a
 * decoder consults key by key, so protobuf and CBOR can skip the bytes of a
 * dropped field without decoding them. The common use is
 * `dropFields: ['metadata.managedFields']`: most of a Pod's bytes, rarely read.
 *
 * Paths are dotted keys from the object's root (`metadata.managedFields`).
 * Arrays are transparent: `spec.containers.image` applies inside every
 * container. A dot inside a key is written `\.`
 * (`metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration`),
 * or a path is given as an array of keys.
 *
 * What a watch needs to work is never filtered: the identity paths
 * (IDENTITY_PATHS) are always kept — a resume needs `metadata.resourceVersion`,
 * a cache needs name, namespace and uid — and only the objects of ADDED,
 * MODIFIED and DELETED events are filtered (a BOOKMARK's annotations end a
 * watch-list; an ERROR's Status is read by the client).
 */

/** A field path: dotted text, or the keys themselves. */
export type FieldPath = string | readonly string[];

export interface FieldSelection {
  /** Paths removed from each object. */
  dropFields?: readonly FieldPath[];
  /** Only these paths (and the identity paths) are kept. Applied before `dropFields`. */
  keepFields?: readonly FieldPath[];
}

/**
 * One level of a compiled selection. In `drop` mode a key that is not in
 * `children` is kept whole; in `keep` mode it is skipped. A child of `null`
 * ends the path there (dropped whole in drop mode, kept whole in keep mode);
 * a child filter applies to the value under that key (and to each element if
 * it is an array).
 */
export interface FieldFilter {
  readonly mode: 'drop' | 'keep';
  readonly children: ReadonlyMap<string, FieldFilter | null>;
}

/** What a decoder does with one key at a level. */
export type FieldAction = 'skip' | 'whole' | FieldFilter;

/** Kept whatever the selection says: what resume, caching and routing need. */
export const IDENTITY_PATHS: readonly (readonly string[])[] = Object.freeze([
  ['apiVersion'],
  ['kind'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'resourceVersion'],
]);

/** The action for `key` under `filter`: the one lookup a decoder makes per key. */
export function fieldAction(filter: FieldFilter, key: string): FieldAction {
  const child = filter.children.get(key);
  if (child === undefined) return filter.mode === 'drop' ? 'whole' : 'skip';
  if (child === null) return filter.mode === 'drop' ? 'skip' : 'whole';
  return child;
}

/** Compiles a selection; undefined when it selects everything (nothing to do). */
export function compileFieldFilter(selection: FieldSelection | undefined): FieldFilter | undefined {
  const keep = (selection?.keepFields ?? []).map(toKeys);
  const drop = (selection?.dropFields ?? []).map(toKeys);
  if (keep.length === 0 && drop.length === 0) return undefined;
  let root: MutableFilter = { mode: keep.length > 0 ? 'keep' : 'drop', children: new Map() };
  if (keep.length > 0) for (const path of [...keep, ...IDENTITY_PATHS]) addKept(root, path);
  for (const path of drop) {
    const identity = IDENTITY_PATHS.find((id) => startsWith(id, path));
    if (identity !== undefined) {
      throw new RangeError(`dropFields: ${path.join('.')} cannot be dropped: a watch needs ${identity.join('.')}`);
    }
    root = addDropped(root, path);
  }
  return root;
}

/**
 * `value` with the selection applied: the post-pass for a decoder that cannot
 * skip while decoding. Objects and arrays on the selected paths are copied,
 * never changed; one with nothing to remove is returned itself, so a pass
 * that finds nothing (the field was cut before parsing, or is absent) costs
 * a lookup per level and no copy.
 */
export function applyFieldFilter(value: unknown, filter: FieldFilter): unknown {
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const filtered = applyFieldFilter(item, filter);
      if (out === undefined && filtered !== item) out = value.slice(0, i);
      out?.push(filtered);
    }
    return out ?? value;
  }
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  if (filter.mode === 'drop' && !hasAnyChild(source, filter)) return value;
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const key of Object.keys(source)) {
    const action = fieldAction(filter, key);
    if (action === 'skip') {
      changed = true;
      continue;
    }
    const original = source[key];
    const child = action === 'whole' ? original : applyFieldFilter(original, action);
    if (child !== original) changed = true;
    // defineProperty, not assignment: a `__proto__` key stays plain data.
    if (key === '__proto__') Object.defineProperty(out, key, { value: child, enumerable: true, writable: true, configurable: true });
    else out[key] = child;
  }
  return changed ? out : value;
}

/** Whether the filter applies to an event of this type (see the module comment). */
export function filtersEventType(type: string): boolean {
  return type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED';
}

/**
 * The filter for a whole event map `{type, object}` that applies `filter` to
 * its object: what a decoder that filters while reading the event's bytes
 * walks down (the caller decides by the type whether it applies at all).
 */
export function eventFieldFilter(filter: FieldFilter): FieldFilter {
  return { mode: 'drop', children: new Map([['object', filter]]) };
}

/**
 * The post-pass on a decoded event: its object filtered when the type says
 * so. The event is the decoder's own fresh value, so its object is replaced
 * in place (no new wrapper per event: see toWatchEvent on why that matters).
 */
export function filterEvent<E extends { type: string; object: unknown }>(event: E, filter: FieldFilter): E {
  if (filtersEventType(event.type)) event.object = applyFieldFilter(event.object, filter) as E['object'];
  return event;
}

type MutableFilter = { mode: 'drop' | 'keep'; children: Map<string, MutableFilter | null> };

function hasAnyChild(source: Record<string, unknown>, filter: FieldFilter): boolean {
  for (const key of filter.children.keys()) if (Object.prototype.hasOwnProperty.call(source, key)) return true;
  return false;
}

function addKept(node: MutableFilter, path: readonly string[]): void {
  let at = node;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const existing = at.children.get(key);
    if (existing === null) return; // an ancestor is already kept whole
    if (i === path.length - 1) {
      at.children.set(key, null);
      return;
    }
    const next = existing ?? { mode: 'keep' as const, children: new Map() };
    at.children.set(key, next);
    at = next;
  }
}

/** Adds a dropped path; returns the (possibly new) root. */
function addDropped(root: MutableFilter, path: readonly string[]): MutableFilter {
  let at = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    const existing = at.children.get(key);
    if (at.mode === 'keep') {
      if (existing === undefined) return root; // not kept: already gone
      if (last) {
        at.children.delete(key);
        return root;
      }
      // Kept whole so far: from here on, keep everything but what is dropped.
      const next = existing ?? { mode: 'drop' as const, children: new Map() };
      at.children.set(key, next);
      at = next;
      continue;
    }
    if (existing === null) return root; // an ancestor is already dropped
    if (last) {
      at.children.set(key, null);
      return root;
    }
    const next = existing ?? { mode: 'drop' as const, children: new Map() };
    at.children.set(key, next);
    at = next;
  }
  return root;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => path[i] === key);
}

/** `a.b\.c` → ['a', 'b.c']; an array is taken as the keys. */
function toKeys(path: FieldPath): readonly string[] {
  if (typeof path !== 'string') {
    if (path.length === 0) throw new RangeError('a field path needs at least one key');
    return path;
  }
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && path[i + 1] === '.') {
      key += '.';
      i++;
    } else if (c === '.') {
      keys.push(key);
      key = '';
    } else key += c;
  }
  keys.push(key);
  if (keys.some((k) => k === '')) throw new RangeError(`field path ${JSON.stringify(path)} has an empty key`);
  return keys;
}
