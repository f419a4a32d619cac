/**
 * Generates src/formats/protobuf/generated/*.ts from the Kubernetes schema table
 * (../shared/k8s/schema.json), one module per API group/version: one decode function per protobuf message
 * that reads with the runtime's Reader (src/formats/protobuf/runtime/reader.ts)
 * straight into the object the Kubernetes JSON serializer writes, and one
 * encode function per message writing the same bytes Go writes, with the
 * runtime's Writer.
 *
 *   npm run generate                       # reads ../shared/k8s/schema.json
 *   npm run generate -- path/to/schema.json
 *
 * The output depends only on the schema table: names are sorted, so running
 * it again reproduces the committed file byte for byte (a test checks this).
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface GoFacts {
  shape: 'pointer' | 'value' | 'slice' | 'map' | 'bytes';
  json: string | null;
  omitempty: boolean;
  omitzero: boolean;
  inline: boolean;
}
interface FieldFacts {
  number: number;
  name: string;
  label: 'optional' | 'repeated';
  type: string;
  keyType?: string;
  valueType?: string;
  go: GoFacts | null;
}
interface MessageFacts {
  fields: FieldFacts[];
  special?: { kind: string; field?: string };
  jsonOnly?: { goType: string; inline: boolean }[];
}
export interface SchemaTable {
  sources: { module: string; commit: string }[];
  messages: Record<string, MessageFacts>;
}

const SCALAR_WIRE: Readonly<Record<string, number>> = {
  string: 2, bytes: 2, bool: 0, int32: 0, int64: 0, uint32: 0, uint64: 0, double: 1, float: 5,
};
const SCALAR_READ: Readonly<Record<string, string>> = {
  string: 'str(r, c)', bytes: 'b64(r, c)', bool: 'r.bool()', int32: 'r.int32()', uint32: 'r.uint32()',
  int64: 'i64(r, c)', uint64: 'i64(r, c)', double: 'r.double()', float: 'r.float()',
};
/** A scalar's read kind in a table (runtime/table.ts READ_CODES). */
const TABLE_READ: Readonly<Record<string, string>> = {
  string: 's', bytes: 'b', bool: 'o', uint32: 'u', int32: 'i', int64: 'l', uint64: 'l', double: 'd', float: 'f',
};
const SCALAR_WRITE: Readonly<Record<string, string>> = {
  string: 'wstr', bytes: 'wbytes', bool: 'wbool', int32: 'w32', uint32: 'w32', int64: 'w64', uint64: 'w64', double: 'wdouble', float: 'wdouble',
};
const SCALAR_ZERO: Readonly<Record<string, string>> = {
  string: "''", bool: 'false', int32: '0', uint32: '0', int64: '0', uint64: '0', double: '0', float: '0',
};
const TYPE_META = 'k8s.io/apimachinery/pkg/apis/meta/v1.TypeMeta';
/** The imports of an encoder module (generated/encode/<group>.ts and encode/all.ts). */
const ENCODER_IMPORTS: readonly string[] = [
  "import type { J } from '../../runtime/reader.js';",
  "import type { Writer } from '../../runtime/writer.js';",
  "import { encodeDuration, encodeIntOrString, encodeMicroTime, encodeNamedSlice, encodeQuantity, encodeRawJson1, encodeRawJson2, encodeSchemaOrArray, encodeSchemaOrBool, encodeSchemaOrStrings, encodeTime, list, mapBytes, mapMessage, mapString, object, w32, w64, wbool, wbytes, wdouble, wstr } from '../../runtime/writer.js';",
  "import type { EncoderGroup } from '../../message-codec.js';",
];

/** Decoder/encoder bodies of the special kinds, by kind (the functions live in runtime/). */
function specialBodies(kind: string, facts: MessageFacts, id: (name: string) => string): { d: string; e: string } | undefined {
  const rawField = (): number => {
    const f = facts.fields.find((x) => x.name === facts.special?.field);
    if (f === undefined) throw new Error(`rawJSON without its field: ${JSON.stringify(facts.special)}`);
    return f.number;
  };
  const schemaType = (): string => id(facts.fields.find((x) => x.name === 'schema')!.type);
  switch (kind) {
    case 'time': return { d: 'return decodeTime(r, c);', e: 'encodeTime(w, o);' };
    case 'microTime': return { d: 'return decodeMicroTime(r, c);', e: 'encodeMicroTime(w, o);' };
    case 'duration': return { d: 'return decodeDuration(r);', e: 'encodeDuration(w, o);' };
    case 'quantity': return { d: 'return decodeQuantity(r, c);', e: 'encodeQuantity(w, o);' };
    case 'intOrString': return { d: 'return decodeIntOrString(r, c);', e: 'encodeIntOrString(w, o);' };
    case 'rawJSON': return { d: `return decodeRawJson${rawField()}(r, c);`, e: `encodeRawJson${rawField()}(w, o);` };
    case 'namedSlice': return { d: 'return decodeNamedSlice(r, c);', e: 'encodeNamedSlice(w, o);' };
    case 'jsonSchemaPropsOrArray': return { d: `return decodeSchemaOrArray(r, c, d${schemaType()});`, e: `encodeSchemaOrArray(w, o, e${schemaType()});` };
    case 'jsonSchemaPropsOrBool': return { d: `return decodeSchemaOrBool(r, c, d${schemaType()});`, e: `encodeSchemaOrBool(w, o, e${schemaType()});` };
    case 'jsonSchemaPropsOrStringArray': return { d: `return decodeSchemaOrStrings(r, c, d${schemaType()});`, e: `encodeSchemaOrStrings(w, o, e${schemaType()});` };
    default: return undefined; // groupVersionString, protoOnly: plain messages on the wire
  }
}

/**
 * The module a message is generated into: one per API group and version
 * (`k8s.io.api.core.v1.Pod` -> `core-v1`, `k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.X`
 * -> `apiextensions-v1`); apimachinery's packages (meta/v1, runtime, resource, intstr), which
 * every group refers to, are one module, `meta`.
 */
export function moduleOf(name: string): string {
  const pkg = name.slice(0, name.lastIndexOf('.'));
  if (pkg.startsWith('k8s.io.apimachinery.')) return 'meta';
  const api = /^k8s\.io\.api\.([a-z0-9]+)\.(v[a-z0-9]+)$/.exec(pkg);
  if (api !== null) return `${api[1]}-${api[2]}`;
  const ext = /^k8s\.io\.apiextensions_apiserver\.pkg\.apis\.apiextensions\.(v[a-z0-9]+)$/.exec(pkg);
  if (ext !== null) return `apiextensions-${ext[1]}`;
  throw new Error(`no module for ${name}`);
}

/** `core-v1` -> `CORE_V1`: the name a module's group has where another imports it. */
function groupConst(module: string): string {
  return module.toUpperCase().replace(/-/g, '_');
}

export function generate(schema: SchemaTable): Map<string, string> {
  const names = Object.keys(schema.messages).sort();
  const ids = new Map(names.map((n, i) => [n, String(i)]));
  const id = (name: string): string => {
    const v = ids.get(name);
    if (v === undefined) throw new Error(`unknown message ${name}`);
    return v;
  };
  const kindOf = (name: string): string | undefined => {
    const k = schema.messages[name]?.special?.kind;
    return k === 'groupVersionString' || k === 'protoOnly' ? undefined : k;
  };
  let out: string[] = [];
  const emit = (line: string): void => void out.push(line);
  // Elements of repeated fields go through one shared function, `add` (see
  // runtime/reader.ts): a `.push` in each generated function would be a call
  // site that first sees an empty SMI-kind list, so TurboFan's inlined push
  // deopts once per repeated field when the first object arrives, and every
  // deopt recompiles the whole (large) decoder: 90 deopts and about 0.9 s of
  // compile time on 4,000 fixture Pods.

  // Decoders and encoders go to separate modules (generated/<group>.ts and
  // generated/encode/<group>.ts): a browser watch client only decodes, and
  // encoders are about half of a group's code (issue 14: core/v1 319 KiB min).
  const bodies = new Map<string, string[]>();
  const encBodies = new Map<string, string[]>();
  const registries = new Map<string, string[]>();
  const encRegistries = new Map<string, string[]>();
  let registry: string[] = [];
  let encOut: string[] = [];
  let encRegistry: string[] = [];
  const emitE = (line: string): void => void encOut.push(line);
  for (const name of names) {
    const facts = schema.messages[name]!;
    const n = id(name);
    const kind = kindOf(name);
    const module = moduleOf(name);
    if (!bodies.has(module)) {
      bodies.set(module, []);
      registries.set(module, []);
      encBodies.set(module, []);
      encRegistries.set(module, []);
    }
    out = bodies.get(module)!;
    registry = registries.get(module)!;
    encOut = encBodies.get(module)!;
    encRegistry = encRegistries.get(module)!;
    emit(`// ${name}`);
    emitE(`// ${name}`);
    encRegistry.push(`  e${n},`);
    if (kind !== undefined) {
      const bodies = specialBodies(kind, facts, id)!;
      emit(`function d${n}(r: Reader, c: C): any { ${bodies.d} }`);
      emitE(`function e${n}(w: Writer, o: any): void { ${bodies.e} }`);
      registry.push(`${name}\u0000d${n}\u0000\u0000${specialTable(kind, facts, id)}`);
      continue;
    }
    const typeMeta = (facts.jsonOnly ?? []).some((j) => j.goType === TYPE_META && j.inline);
    const fields = facts.fields.filter((f) => f.go !== null);
    // Every message's objects come from a constructor of its own, not `{}`: an
    // empty literal starts from the one root hidden class that JSON.parse (the
    // FieldsV1 of every managedFields entry) and every other `{}` share, whose
    // transitions grow with every distinct key they meet (FieldsV1 keys name
    // containers, env vars, ports). Decoders that built from it ran 2x slower
    // on distinct Pods (issue 14 notes). A constructor's instances have a root
    // of their own. Many keys: a never-run body names them, so V8 reserves
    // in-object room for them (and trims what is unused) instead of growing a
    // separate property array key by key; a few: an empty body.
    const keys = jsonKeys(name);
    const shaped = keys.length > 0;
    const make = shaped ? `new O${n}()` : '{}';
    if (keys.length > 4) {
      const assigns = keys.filter((k) => /^[A-Za-z_$][\w$]*$/.test(k)).map((k) => `this.${k} = 0;`).join(' ');
      emit(`const O${n} = /* @__PURE__ */ shape(function (this: J) { if (NEVER) { ${assigns} } });`);
    } else if (shaped) {
      emit(`const O${n} = /* @__PURE__ */ plainShape();`);
    }
    // ---- decoder
    // Field selection (runtime/reader.ts, skipField): the filter for this
    // message is taken from the context; the wire tags and JSON keys of its
    // fields (negative tag: a message field, whose own filter is passed down)
    // say which bytes a dropped key owns. Inline structs are not listed: their
    // keys are the parent's, left to the post-pass.
    const filterKeys = fields.filter((f) => !f.go!.inline).flatMap((f) => {
      const message = f.type !== 'map' && !(f.type in SCALAR_WIRE) && kindOf(f.type) === undefined;
      const tag = f.type === 'map' ? (f.number << 3) | 2 : f.type in SCALAR_WIRE ? (f.number << 3) | SCALAR_WIRE[f.type]! : (f.number << 3) | 2;
      return [String(message ? -tag : tag), JSON.stringify(f.go!.json)];
    });
    emit(`const K${n}: Keys = [${filterKeys.join(', ')}];`);
    registry.push(`${name}\u0000d${n}\u0000${typeMeta ? 't' : ''}\u0000${messageTable(n, shaped, fields)}`);
    emit(`function d${n}(r: Reader, c: C): J {`);
    emit('  const f = filterOf(c);');
    if (typeMeta) {
      // Created first: the top object takes kind and apiVersion from the envelope before any field.
      emit(`  const o: J = ${make};`);
      emit('  if (c.top) typeMetaInto(o, c);');
    }
    for (const f of fields) emit(`  let v${f.number}: any;`);
    // Map fields count their entries for maxCollectionLength, as add() does for repeated fields.
    for (const f of fields) if (f.type === 'map') emit(`  let n${f.number} = 0;`);
    emit('  while (r.pos < r.len) {');
    emit('    const t = r.uint32();');
    // `f &&`: a filter is an object or undefined (and 9 bytes less per message than `f !== void 0`, minified).
    emit(`    if (f && skipField(r, c, f, t, K${n})) continue;`);
    emit('    switch (t) {');
    for (const f of fields) {
      const v = `v${f.number}`;
      if (f.type === 'map') {
        const tag = (f.number << 3) | 2;
        const vt = f.valueType!;
        if (f.keyType !== 'string') throw new Error(`${name}.${f.name}: map key ${f.keyType}`);
        const n = `++n${f.number}`;
        const call = vt === 'string' ? `entryString(r, c, ${v}, ${n})` : vt === 'bytes' ? `entryBytes(r, c, ${v}, ${n})` : vt in SCALAR_WIRE ? undefined : `entryMessage(r, c, ${v}, ${n}, d${id(vt)})`;
        if (call === undefined) throw new Error(`${name}.${f.name}: map value ${vt}`);
        emit(`      case ${tag}: ${v} = ${call}; break;`);
      } else if (f.type in SCALAR_WIRE) {
        const tag = (f.number << 3) | SCALAR_WIRE[f.type]!;
        const read = SCALAR_READ[f.type]!;
        emit(f.label === 'repeated' ? `      case ${tag}: ${v} = add(${v}, ${read}, c); break;` : `      case ${tag}: ${v} = ${read}; break;`);
      } else {
        const tag = (f.number << 3) | 2;
        // msg(): enter, decode, leave, one call per field (smaller code than the three inline; TurboFan inlines it).
        const read = `msg(r, c, d${id(f.type)})`;
        emit(f.label === 'repeated' ? `      case ${tag}: ${v} = add(${v}, ${read}, c); break;` : `      case ${tag}: ${v} = ${read}; break;`);
      }
    }
    emit('      default: skip(r, t);');
    emit('    }');
    emit('  }');
    if (!typeMeta) emit(`  const o: J = ${make};`);
    for (const f of fields) emitJson(f, name);
    emit('  return o;');
    emit('}');
    // ---- encoder: field-number order, as Go writes
    emitE(`function e${n}(w: Writer, o: any): void {`);
    emitE('  o = o == null ? NONE : object(o);');
    if (fields.length > 0) emitE('  let v: any;');
    for (const f of [...fields].sort((a, b) => a.number - b.number)) emitWire(f, name);
    emitE('}');
  }
  // ---- one module per API group/version (apimachinery's packages together: every group needs them)
  const moduleOfId = new Map(names.map((name) => [id(name), moduleOf(name)]));
  const references = new Map<string, Set<string>>(); // module -> functions it uses from other modules
  const exported = new Map<string, Set<string>>(); // module -> functions other modules use
  for (const [module, lines] of bodies) {
    const code = [...lines, ...encBodies.get(module)!].join('\n').replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const used = new Set<string>();
    for (const m of code.matchAll(/\b([de])(\d+)\b/g)) {
      const owner = moduleOfId.get(m[2]!);
      if (owner === undefined || owner === module) continue;
      used.add(m[0]);
      if (!exported.has(owner)) exported.set(owner, new Set());
      exported.get(owner)!.add(m[0]);
    }
    references.set(module, used);
  }
  const files = new Map<string, string>();
  const modules = [...bodies.keys()].sort();
  const sortFns = (fns: Iterable<string>): string[] => [...fns].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const module of modules) {
    const requires = new Map<string, string[]>();
    for (const fn of references.get(module)!) {
      const owner = moduleOfId.get(fn.slice(1))!;
      if (!requires.has(owner)) requires.set(owner, []);
      requires.get(owner)!.push(fn);
    }
    const owners = [...requires.keys()].sort();
    const exports = sortFns(exported.get(module) ?? []);
    // ---- decoders
    out = [];
    emit('// Generated by scripts/generate-protobuf-schemas.ts from ../shared/k8s/schema.json. Do not edit.');
    emit('// Sources: ' + schema.sources.map((s) => `${s.module}@${s.commit.slice(0, 12)}`).join(', '));
    emit('/* eslint-disable */');
    emit("import type { DecodeContext as C, J, Reader } from '../runtime/reader.js';");
    emit("import { EMPTY, NEVER, b64, filterOf, decodeDuration, decodeIntOrString, decodeMicroTime, decodeNamedSlice, decodeQuantity, decodeRawJson1, decodeRawJson2, decodeSchemaOrArray, decodeSchemaOrBool, decodeSchemaOrStrings, decodeTime, enter, entryBytes, entryMessage, entryString, add, i64, leave, msg, plainShape, shape, skip, skipField, str, typeMetaInto } from '../runtime/reader.js';");
    emit("import { type SchemaGroup, entries } from '../message-codec.js';");
    for (const owner of owners) {
      const fns = sortFns(requires.get(owner)!.filter((fn) => fn.startsWith('d')));
      emit(`import { ${[...fns, `schemas as ${groupConst(owner)}`].join(', ')} } from './${owner}.js';`);
    }
    emit('');
    emit('/** Wire tag, JSON key, ... of a message\'s fields, for field selection (skipField). */');
    emit('type Keys = readonly (number | string)[];');
    emit('');
    for (const line of bodies.get(module)!) emit(line);
    const dExports = exports.filter((fn) => fn.startsWith('d'));
    if (dExports.length > 0) {
      emit('');
      emit(`export { ${dExports.join(', ')} };`);
    }
    emit('');
    emit('/**');
    emit(` * The ${module} messages: name -> [decode (reads up to reader.len), embeds TypeMeta`);
    emit(' * (kind/apiVersion come from the envelope)], sorted by name; `requires`: the groups whose');
    emit(` * messages these refer to (a registry adds them too). Encoders: ./encode/${module}.js.`);
    emit(' */');
    emit('export const schemas: SchemaGroup = {');
    emit(`  name: ${JSON.stringify(module)},`);
    emit(`  requires: [${owners.map(groupConst).join(', ')}],`);
    // Names once, without their common prefix, in one string (a Map literal of
    // [name, [decoder, flag]] pairs was 13 KiB of core-v1's minified bundle).
    const rows = registries.get(module)!.map((r) => r.split('\u0000') as [string, string, string, string]);
    let prefix = rows[0]![0];
    for (const [name] of rows) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
    prefix = prefix.slice(0, prefix.lastIndexOf('.') + 1);
    emit(`  messages: /* @__PURE__ */ entries(${JSON.stringify(prefix)}, ${JSON.stringify(rows.map(([name]) => name.slice(prefix.length)).join(' '))}, [`);
    for (let i = 0; i < rows.length; i += 16) emit('    ' + rows.slice(i, i + 16).map((r) => r[1] + ',').join(' '));
    emit(`  ], [${rows.flatMap((r, i) => (r[2] === 't' ? [String(i)] : [])).join(', ')}], [`);
    // The table tier's tables (runtime/table.ts), one per message in the same order.
    for (let i = 0; i < rows.length; i += 8) emit('    ' + rows.slice(i, i + 8).map((r) => r[3] + ',').join(' '));
    emit('  ]),');
    emit('};');
    files.set(`${module}.ts`, out.join('\n') + '\n');
    // ---- encoders
    out = [];
    emit('// Generated by scripts/generate-protobuf-schemas.ts from ../shared/k8s/schema.json. Do not edit.');
    emit('// Sources: ' + schema.sources.map((s) => `${s.module}@${s.commit.slice(0, 12)}`).join(', '));
    emit('/* eslint-disable */');
    for (const line of ENCODER_IMPORTS) emit(line);
    emit(`import { schemas } from '../${module}.js';`);
    for (const owner of owners) {
      const fns = sortFns(requires.get(owner)!.filter((fn) => fn.startsWith('e')));
      emit(`import { ${[...fns, `encoders as ${groupConst(owner)}`].join(', ')} } from './${owner}.js';`);
    }
    emit('');
    emit('const NONE: J = /* @__PURE__ */ Object.freeze({});');
    emit('');
    for (const line of encBodies.get(module)!) emit(line);
    const eExports = exports.filter((fn) => fn.startsWith('e'));
    if (eExports.length > 0) {
      emit('');
      emit(`export { ${eExports.join(', ')} };`);
    }
    emit('');
    emit('/**');
    emit(` * The ${module} encoders (write the body), for ProtobufSchemaRegistry.addEncoders: in the order`);
    emit(' * of `schemas.messages` (the names are not repeated); `requires`: the groups whose messages');
    emit(' * these refer to (added with them).');
    emit(' */');
    emit('export const encoders: EncoderGroup = {');
    emit('  schemas,');
    emit(`  requires: [${owners.map(groupConst).join(', ')}],`);
    emit('  encoders: [');
    for (const line of encRegistries.get(module)!) emit(line);
    emit('  ],');
    emit('};');
    files.set(`encode/${module}.ts`, out.join('\n') + '\n');
  }
  out = [];
  emit('// Generated by scripts/generate-protobuf-schemas.ts from ../shared/k8s/schema.json. Do not edit.');
  emit("import type { SchemaGroup } from '../message-codec.js';");
  for (const module of modules) emit(`import { schemas as ${groupConst(module)} } from './${module}.js';`);
  emit('');
  emit('/** Every built-in group: what the default protobuf codec decodes. */');
  emit(`export const ALL_GROUPS: readonly SchemaGroup[] = [${modules.map(groupConst).join(', ')}];`);
  files.set('all.ts', out.join('\n') + '\n');
  // groups.ts names the groups without importing them: what a loader that
  // adds a group when its first message is met (registry.ts, GroupLoader)
  // checks a name against before it loads the module.
  out = [];
  emit('// Generated by scripts/generate-protobuf-schemas.ts from ../shared/k8s/schema.json. Do not edit.');
  emit('');
  emit('/** The name of every built-in group (generated/<name>.js, encode/<name>.js), sorted. */');
  emit(`export const GROUP_NAMES: readonly string[] = [${modules.map((m) => JSON.stringify(m)).join(', ')}];`);
  files.set('groups.ts', out.join('\n') + '\n');
  // encode/all.ts holds every group's encoders itself (the same functions as
  // the per-group modules, written again) rather than importing 64 modules:
  // what `watchwire/protobuf` loads, and 64 more ES modules to instantiate
  // cost the CLI about 25 ms of CPU at start.
  out = [];
  emit('// Generated by scripts/generate-protobuf-schemas.ts from ../shared/k8s/schema.json. Do not edit.');
  emit('/* eslint-disable */');
  for (const line of ENCODER_IMPORTS) emit(line);
  for (const module of modules) emit(`import { schemas as ${groupConst(module)}_SCHEMAS } from '../${module}.js';`);
  emit('');
  emit('const NONE: J = /* @__PURE__ */ Object.freeze({});');
  emit('');
  for (const module of modules) for (const line of encBodies.get(module)!) emit(line);
  // Groups after the groups they require.
  const ordered: string[] = [];
  const place = (module: string): void => {
    if (ordered.includes(module)) return;
    for (const fn of references.get(module)!) place(moduleOfId.get(fn.slice(1))!);
    ordered.push(module);
  };
  for (const module of modules) place(module);
  emit('');
  for (const module of ordered) {
    const owners = [...new Set([...references.get(module)!].map((fn) => moduleOfId.get(fn.slice(1))!))].sort();
    emit(`const ${groupConst(module)}: EncoderGroup = { schemas: ${groupConst(module)}_SCHEMAS, requires: [${owners.map(groupConst).join(', ')}], encoders: [`);
    const fns = encRegistries.get(module)!.map((l) => l.trim());
    for (let i = 0; i < fns.length; i += 16) emit('  ' + fns.slice(i, i + 16).join(' '));
    emit('] };');
  }
  emit('');
  emit('/** Every built-in group\'s encoders: what the full protobuf codec (`watchwire/protobuf`) encodes with. */');
  emit(`export const ALL_ENCODERS: readonly EncoderGroup[] = [${modules.map(groupConst).join(', ')}];`);
  files.set('encode/all.ts', out.join('\n') + '\n');
  return files;

  /**
   * A message's table for the table tier (runtime/table.ts): [K, O (when
   * it has one), code, ...decoders of its message fields]. Per field in Go struct order,
   * a read kind (s b o i u l d f m: string, bytes->base64, bool, int32,
   * uint32, int64/uint64, double, float, message; upper case: repeated;
   * 1 2 3: map of string, bytes, message) and the rule emitJson writes
   * (a..i, in the order of its cases); an inline field adds its number
   * (63 + n). Wire tags and keys are K's, which the table shares.
   */
  function messageTable(n: string, withShape: boolean, fields: FieldFacts[]): string {
    let code = '';
    const kids: string[] = [];
    for (const f of fields) {
      const go = f.go!;
      let read: string;
      if (f.type === 'map') {
        const vt = f.valueType!;
        read = vt === 'string' ? '1' : vt === 'bytes' ? '2' : '3';
        if (read === '3') kids.push(`d${id(vt)}`);
      } else if (f.type in SCALAR_WIRE) {
        read = TABLE_READ[f.type]!;
        if (f.label === 'repeated') read = read.toUpperCase();
      } else {
        read = f.label === 'repeated' ? 'M' : 'm';
        kids.push(`d${id(f.type)}`);
      }
      code += read + jsonRule(f);
      if (go.inline) code += String.fromCharCode(63 + f.number);
    }
    return `[K${n}, ${withShape ? `O${n}, ` : ''}${JSON.stringify(code)}${kids.map((k) => ', ' + k).join('')}]`;
  }

  /** A special kind's table: `#` and its letter (runtime/table.ts SPECIAL_CODES); schema-or-*: [that, the schema's decoder]. */
  function specialTable(kind: string, facts: MessageFacts, id: (name: string) => string): string {
    const schema = (): string => `d${id(facts.fields.find((x) => x.name === 'schema')!.type)}`;
    switch (kind) {
      case 'time': return '"#t"';
      case 'microTime': return '"#u"';
      case 'duration': return '"#d"';
      case 'quantity': return '"#q"';
      case 'intOrString': return '"#x"';
      case 'rawJSON': {
        const f = facts.fields.find((x) => x.name === facts.special?.field)!;
        return f.number === 1 ? '"#r"' : '"#R"';
      }
      case 'namedSlice': return '"#n"';
      case 'jsonSchemaPropsOrArray': return `["#A", ${schema()}]`;
      case 'jsonSchemaPropsOrBool': return `["#B", ${schema()}]`;
      case 'jsonSchemaPropsOrStringArray': return `["#C", ${schema()}]`;
      default: throw new Error(`no table for special kind ${kind}`);
    }
  }

  /** emitJson's rule for a field, as its table letter (the same decisions, in the same order). */
  function jsonRule(f: FieldFacts): string {
    const go = f.go!;
    if (go.inline) return 'i';
    const absentIsNil = f.label === 'repeated' || f.type === 'map' || go.shape === 'pointer' || go.shape === 'bytes' || go.shape === 'slice' || kindOf(f.type) === 'namedSlice';
    if (absentIsNil) {
      if (go.omitempty && go.shape === 'bytes') return 'c';
      if (go.omitempty && kindOf(f.type) === 'namedSlice' && go.shape !== 'pointer') return 'd';
      if (go.omitempty) return 'a';
      return 'b';
    }
    if (f.type in SCALAR_WIRE) return go.omitempty ? 'e' : 'f';
    if (go.omitzero) return 'h';
    return 'g';
  }

  /** The JSON keys an object of `name` can have: its fields', inline structs' (flattened), and TypeMeta's. */
  function jsonKeys(name: string): string[] {
    const facts = schema.messages[name]!;
    const keys: string[] = (facts.jsonOnly ?? []).some((j) => j.goType === TYPE_META && j.inline) ? ['kind', 'apiVersion'] : [];
    for (const f of facts.fields) {
      if (f.go === null) continue;
      if (f.go.inline) keys.push(...jsonKeys(f.type));
      else if (f.go.json !== null) keys.push(f.go.json);
    }
    return keys;
  }

  function emitJson(f: FieldFacts, owner: string): void {
    const go = f.go!;
    const v = `v${f.number}`;
    const key = JSON.stringify(go.json);
    const where = `${owner}.${f.name}`;
    if (go.inline) {
      if (f.type in SCALAR_WIRE || f.type === 'map' || kindOf(f.type) !== undefined || go.shape !== 'value') throw new Error(`inline ${where} not a plain struct`);
      emit(`  Object.assign(o, ${v} ?? d${id(f.type)}(EMPTY, c));`);
      return;
    }
    if (go.json === null) throw new Error(`${where}: no JSON name`);
    if (go.omitzero && !(kindOf(f.type) === 'time' || kindOf(f.type) === 'microTime')) throw new Error(`${where}: omitzero on ${f.type}`);
    const k = `o[${key}]`;
    const absentIsNil = f.label === 'repeated' || f.type === 'map' || go.shape === 'pointer' || go.shape === 'bytes' || go.shape === 'slice' || kindOf(f.type) === 'namedSlice';
    if (absentIsNil) {
      if (go.omitempty && go.shape === 'bytes') emit(`  if (${v} !== undefined && ${v} !== '') ${k} = ${v};`);
      else if (go.omitempty && kindOf(f.type) === 'namedSlice' && go.shape !== 'pointer') emit(`  if (${v} !== undefined && ${v}.length > 0) ${k} = ${v};`);
      else if (go.omitempty) emit(`  if (${v} !== undefined) ${k} = ${v};`);
      else emit(`  ${k} = ${v} === undefined ? null : ${v};`);
      return;
    }
    // Non-pointer value: absent on the wire means Go's zero value.
    if (f.type in SCALAR_WIRE) {
      const zero = SCALAR_ZERO[f.type]!;
      // A decoded string, bool or integer is falsy exactly when it is absent or zero (an int64 past 2^53 is a
      // non-zero BigInt): the shorter test pays for the tables in core/v1's minified bundle. Not for double
      // and float, where NaN is falsy but not zero.
      if (go.omitempty && f.type !== 'double' && f.type !== 'float') emit(`  if (${v}) ${k} = ${v};`);
      else if (go.omitempty) emit(`  if (${v} !== undefined && ${v} !== ${zero}) ${k} = ${v};`);
      else emit(`  ${k} = ${v} ?? ${zero};`); // (a decoded scalar is never null)
      return;
    }
    // Structs: omitempty never omits them; omitzero omits a zero Time.
    // `??`: the only decoders that give null (Time, raw JSON, schema-or-*) give null for EMPTY too.
    const value = `${v} ?? d${id(f.type)}(EMPTY, c)`;
    if (go.omitzero) emit(`  if (${v} !== undefined && ${v} !== null) ${k} = ${v};`);
    else emit(`  ${k} = ${value};`);
  }

  function emitWire(f: FieldFacts, owner: string): void {
    const go = f.go!;
    const get = go.inline ? 'v = o;' : `v = o[${JSON.stringify(go.json)}];`;
    if (f.type === 'map') {
      const tag = (f.number << 3) | 2;
      const vt = f.valueType!;
      const call = vt === 'string' ? `mapString(w, ${tag}, v)` : vt === 'bytes' ? `mapBytes(w, ${tag}, v)` : `mapMessage(w, ${tag}, v, e${id(vt)})`;
      emitE(`  ${get} if (v != null) ${call};`);
    } else if (f.type in SCALAR_WIRE) {
      const tag = (f.number << 3) | SCALAR_WIRE[f.type]!;
      const write = SCALAR_WRITE[f.type]!;
      if (f.label === 'repeated') emitE(`  ${get} if (v != null) for (const x of list(v)) { w.uint32(${tag}); ${write}(w, x); }`);
      else if (go.shape === 'pointer' || go.shape === 'bytes') emitE(`  ${get} if (v != null) { w.uint32(${tag}); ${write}(w, v); }`);
      else if (go.shape === 'value') emitE(`  ${get} w.uint32(${tag}); ${write}(w, v ?? ${SCALAR_ZERO[f.type]});`);
      else throw new Error(`${owner}.${f.name}: scalar shape ${go.shape}`);
    } else {
      const tag = (f.number << 3) | 2;
      const enc = `e${id(f.type)}`;
      if (f.label === 'repeated') emitE(`  ${get} if (v != null) for (const x of list(v)) { w.uint32(${tag}).fork(); ${enc}(w, x); w.ldelim(); }`);
      else if (go.shape === 'value' && kindOf(f.type) !== 'namedSlice') emitE(`  ${get} w.uint32(${tag}).fork(); ${enc}(w, v); w.ldelim();`);
      else emitE(`  ${get} if (v != null) { w.uint32(${tag}).fork(); ${enc}(w, v); w.ldelim(); }`);
    }
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The generated modules' folder: every .ts in it is the generator's (stale ones are removed). */
export const OUTPUT_DIR = join(ROOT, 'src/formats/protobuf/generated');
export const DEFAULT_SCHEMA = join(ROOT, '../shared/k8s/schema.json');

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const schemaPath = resolve(process.argv[2] ?? DEFAULT_SCHEMA);
  const files = generate(JSON.parse(readFileSync(schemaPath, 'utf8')) as SchemaTable);
  mkdirSync(join(OUTPUT_DIR, 'encode'), { recursive: true });
  for (const dir of ['', 'encode/']) for (const old of readdirSync(join(OUTPUT_DIR, dir))) if (old.endsWith('.ts') && !files.has(dir + old)) rmSync(join(OUTPUT_DIR, dir + old));
  let bytes = 0;
  for (const [file, text] of files) {
    writeFileSync(join(OUTPUT_DIR, file), text);
    bytes += text.length;
  }
  console.log(`wrote ${files.size} modules to ${OUTPUT_DIR} (${bytes} bytes) from ${schemaPath}`);
}
