/**
 * Protobuf schemas loaded group by group, as a stream needs them (Node only).
 *
 * Why: `watchwire/protobuf` starts with all 64 built-in groups and their
 * encoders, 1.5 MB of generated modules that take Node 20 about 80 ms of CPU
 * to load; a process that decodes Pods needs core-v1 and meta alone. That
 * start is most of what a short CLI run costs beyond JSON (issue 14).
 *
 * A registry asks its GroupLoader while decoding, so the load must be
 * synchronous: require() of the ES module, which Node has without a flag
 * since 20.19 and 22.12 (`process.features.require_module`). It gives the
 * same module instances as import, so the tables the groups register are the
 * ones the decoders read. Where Node lacks it, every group is loaded first.
 * The paths are computed, so a bundler cannot follow them: where they do not
 * resolve (watchwire bundled into an app), every group is loaded first too,
 * from the static import a bundler does follow; a bundled app that wants
 * fewer adds the groups it needs with addGroup.
 */
import { createRequire } from 'node:module';
import { GROUP_NAMES } from '../formats/protobuf/generated/groups.js';
import type { EncoderGroup, SchemaGroup } from '../formats/protobuf/message-codec.js';
import { type GroupLoader, ProtobufSchemaRegistry } from '../formats/protobuf/registry.js';

const known = new Set(GROUP_NAMES);

/**
 * require() relative to this module, made on first use: in a CommonJS bundle
 * of an app there is no module URL (bundlers leave `import.meta.url`
 * undefined), and making it at import threw there, so that importing
 * `watchwire/node` at all (for nodeFetch) crashed the app at start.
 */
let moduleRequire: NodeJS.Require | null | undefined;
function requireHere(): NodeJS.Require | undefined {
  if (moduleRequire === undefined) {
    try {
      moduleRequire = createRequire(import.meta.url);
    } catch {
      moduleRequire = null;
    }
  }
  return moduleRequire ?? undefined;
}

/** Where a generated module of this package is, from here. */
function generatedPath(path: string): string {
  return `../formats/protobuf/generated/${path}.js`;
}

/** A generated module of this package by require, or undefined where there is no require from here (a CommonJS bundle). */
function generated<T>(path: string): T | undefined {
  const load = requireHere();
  return load === undefined ? undefined : (load(generatedPath(path)) as T);
}

/** The built-in groups from this package's generated modules, by require (Node with require(esm) only). */
export const nodeGroupLoader: GroupLoader = {
  schemas: (group) => (known.has(group) ? generated<{ schemas: SchemaGroup }>(group)?.schemas : undefined),
  encoders: (group) => (known.has(group) ? generated<{ encoders: EncoderGroup }>(`encode/${group}`)?.encoders : undefined),
};

/** Whether this Node can require() an ES module (20.19+, 22.12+). */
export function canRequireModules(): boolean {
  return (process.features as { require_module?: boolean }).require_module === true;
}

/**
 * A registry with every built-in group and its encoders, each loaded when a
 * message of it is first decoded or encoded: pass it as `schemas` to
 * createProtobufCodec. On a Node without require(esm), the registry of
 * `watchwire/protobuf`, with every group loaded now.
 */
export async function protobufSchemasOnDemand(): Promise<ProtobufSchemaRegistry> {
  if (canRequireModules() && groupModulesResolve()) return new ProtobufSchemaRegistry().addLoader(nodeGroupLoader);
  return (await import('../formats/protobuf/builtin.js')).BUILTIN_SCHEMAS;
}

/** Whether the generated group modules are where nodeGroupLoader looks (not so in an app bundle), checked once. */
let resolves: boolean | undefined;
function groupModulesResolve(): boolean {
  if (resolves === undefined) {
    const load = requireHere();
    try {
      resolves = load !== undefined && load.resolve(generatedPath(GROUP_NAMES[0]!)) !== '';
    } catch {
      resolves = false;
    }
  }
  return resolves;
}
