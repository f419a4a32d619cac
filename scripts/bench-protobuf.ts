/**
 * Measures the two ways to turn protobuf watch frames into Kubernetes JSON
 * objects with protobufjs, on the same frames, and checks they agree:
 *
 *  - reflection: a protobufjs Root built from the schema table, Type.decode,
 *    then a mapper walking the decoded message with the table's JSON facts;
 *  - generated: the per-message functions of src/formats/protobuf/generated
 *    (protobufjs Reader straight into the JSON shape), i.e. what watchwire ships.
 *
 * Also JSON (watchwire's json codec) on the same events, and encoding.
 * Needs ../shared/k8s (the schema table and the Pod fixture); run after
 * `npm run build`:  npx tsx scripts/bench-protobuf.ts
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { type KubeObject, type WatchEvent, decodeAll, encodeAll, jsonCodec } from 'watchwire';
import { decodeProtobufObject, encodeProtobufObject, protobufCodec } from 'watchwire/protobuf';

const SHARED = new URL('../../shared/k8s/', import.meta.url);
type Facts = {
  fields: { number: number; name: string; label: string; type: string; keyType?: string; valueType?: string; go: any }[];
  special?: { kind: string; field?: string };
  jsonOnly?: { goType: string }[];
};
const schema = JSON.parse(readFileSync(new URL('schema.json', SHARED), 'utf8')) as { messages: Record<string, Facts> };
const SCALARS = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float']);

// ---- reflection: Root from the schema table, proto2 semantics ------------------------
function buildRoot(): protobuf.Root {
  const nested: any = {};
  for (const [name, m] of Object.entries(schema.messages)) {
    const parts = name.split('.');
    let ns = nested;
    for (const p of parts.slice(0, -1)) ns = (ns[p] ??= { nested: {} }).nested;
    const fields: any = {};
    for (const f of m.fields) {
      if (f.type === 'map') fields[f.name] = { keyType: f.keyType, type: SCALARS.has(f.valueType!) ? f.valueType : '.' + f.valueType, id: f.number };
      else fields[f.name] = { type: SCALARS.has(f.type) ? f.type : '.' + f.type, id: f.number, ...(f.label === 'repeated' ? { rule: 'repeated' } : {}) };
    }
    ns[parts[parts.length - 1]!] = { edition: 'proto2', fields };
  }
  return protobuf.Root.fromJSON({ nested });
}

const { base64 } = protobuf.util;
const has = (m: any, k: string) => Object.prototype.hasOwnProperty.call(m, k);
const num = (v: any): number => (typeof v === 'number' ? v : v.toNumber());
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
function rfc3339(seconds: number, frac = ''): string {
  const d = new Date(seconds * 1000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}Z`;
}

/** Per message: a mapper from a protobufjs message to the JSON form, built once from the facts. */
type Mapper = (m: any) => any;
const mappers = new Map<string, Mapper>();
function mapperOf(name: string): Mapper {
  let mapper = mappers.get(name);
  if (mapper !== undefined) return mapper;
  const facts = schema.messages[name]!;
  const kind = facts.special?.kind;
  const props = (fname: string) => mapperOf(facts.fields.find((f) => f.name === fname)!.type);
  switch (kind) {
    case 'time': mapper = (m) => (!has(m, 'seconds') ? null : rfc3339(num(m.seconds))); break;
    case 'microTime': mapper = (m) => (!has(m, 'seconds') ? null : rfc3339(num(m.seconds), '.' + pad(Math.floor((m.nanos ?? 0) / 1000), 6))); break;
    case 'quantity': mapper = (m) => m.string ?? '0'; break;
    case 'intOrString': mapper = (m) => (num(m.type ?? 0) === 1 ? m.strVal : m.intVal ?? 0); break;
    case 'rawJSON': { const f = facts.special!.field!; mapper = (m) => (m[f]?.length ? JSON.parse(new TextDecoder().decode(m[f])) : null); break; }
    case 'namedSlice': mapper = (m) => m.items ?? []; break;
    case 'duration': mapper = (m) => `${num(m.duration ?? 0)}ns`; break;
    case 'jsonSchemaPropsOrArray': mapper = (m) => (m.jSONSchemas?.length ? m.jSONSchemas.map(props('schema')) : m.schema ? props('schema')(m.schema) : null); break;
    case 'jsonSchemaPropsOrBool': mapper = (m) => (m.schema ? props('schema')(m.schema) : !!m.allows); break;
    case 'jsonSchemaPropsOrStringArray': mapper = (m) => (m.property?.length ? m.property : m.schema ? props('schema')(m.schema) : null); break;
    default: mapper = structMapper(facts);
  }
  mappers.set(name, mapper);
  return mapper;
}

function structMapper(facts: Facts): Mapper {
  const steps = facts.fields.filter((f) => f.go !== null).map((f) => {
    const go = f.go;
    const isMsg = !SCALARS.has(f.type) && f.type !== 'map';
    const sub = isMsg ? () => mapperOf(f.type) : undefined;
    const valueMsg = f.type === 'map' && !SCALARS.has(f.valueType!) ? () => mapperOf(f.valueType!) : undefined;
    const special = isMsg ? schema.messages[f.type]!.special?.kind : undefined;
    return (m: any, o: any) => {
      const present = Object.prototype.hasOwnProperty.call(m, f.name);
      let v = m[f.name];
      if (f.type === 'map') {
        if (!present || Object.keys(v).length === 0) { if (!go.omitempty) o[go.json] = null; return; }
        const out: any = {};
        for (const k of Object.keys(v)) out[k] = valueMsg ? valueMsg()(v[k]) : f.valueType === 'bytes' ? base64.encode(v[k], 0, v[k].length) : v[k];
        o[go.json] = out;
        return;
      }
      if (f.label === 'repeated') {
        if (!present || v.length === 0) { if (!go.omitempty) o[go.json] = null; return; }
        o[go.json] = sub ? v.map((x: any) => sub()(x)) : f.type === 'int64' ? v.map(num) : v;
        return;
      }
      if (go.inline) { Object.assign(o, sub!()(present ? v : {})); return; }
      if (!present || v == null) {
        if (go.shape === 'pointer' || go.shape === 'bytes' || special === 'namedSlice') { if (!go.omitempty) o[go.json] = null; return; }
        if (sub) { const z = sub()({}); if (!(go.omitzero && z === null)) o[go.json] = z; return; }
        v = f.type === 'string' ? '' : f.type === 'bool' ? false : 0;
        if (go.omitempty && !v) return;
        o[go.json] = v;
        return;
      }
      if (sub) { const x = sub()(v); if (!(go.omitzero && x === null)) o[go.json] = x; return; }
      if (f.type === 'bytes') { if (go.omitempty && v.length === 0) return; o[go.json] = base64.encode(v, 0, v.length); return; }
      if (f.type === 'int64' || f.type === 'uint64') v = num(v);
      if (go.omitempty && go.shape === 'value' && !v) return;
      o[go.json] = v;
    };
  });
  return (m) => {
    const o: any = {};
    for (const step of steps) step(m, o);
    return o;
  };
}

let reflection: { WatchEventT: protobuf.Type; UnknownT: protobuf.Type; PodT: protobuf.Type; podMapper: Mapper } | undefined;
/** Built on first use only: a process measuring another candidate never loads it. */
function reflectionTypes() {
  if (reflection !== undefined) return reflection;
  const root = buildRoot();
  return (reflection = {
    WatchEventT: root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.WatchEvent'),
    UnknownT: root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown'),
    PodT: root.lookupType('k8s.io.api.core.v1.Pod'),
    podMapper: mapperOf('k8s.io.api.core.v1.Pod'),
  });
}

function reflectionDecode(frame: Uint8Array): WatchEvent {
  const { WatchEventT, UnknownT, PodT, podMapper } = reflectionTypes();
  const ev = WatchEventT.decode(frame) as any;
  const raw: Uint8Array = ev.object.raw;
  const unknown = UnknownT.decode(raw.subarray(4)) as any;
  const { apiVersion, kind } = unknown.typeMeta;
  if (kind !== 'Pod') throw new Error('bench decodes Pods only');
  const body = podMapper(PodT.decode(unknown.raw));
  return { type: ev.type, object: { kind, apiVersion, ...body } };
}

// ---- the events ---------------------------------------------------------------------
function realisticPod(i: number): KubeObject {
  const name = `web-7d4b9c6f5d-${(100000 + i).toString(36)}`;
  const container = (n: string, image: string) => ({
    name: n, image, imagePullPolicy: 'IfNotPresent',
    args: ['--port=8080', '--log-level=info', '--metrics-addr=:9090'],
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'LOG_FORMAT', value: 'json' }, { name: 'FEATURE_FLAGS', value: 'a,b,c' },
    ],
    resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app', readOnly: true }, { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 10, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  });
  const t = '2026-11-25T10:00:00Z';
  const containerStatus = (n: string, image: string) => ({
    name: n, state: { running: { startedAt: t } }, lastState: {}, ready: true, restartCount: 0, image, imageID: `${image}@sha256:${'ab'.repeat(32)}`,
    containerID: `containerd://${'cd'.repeat(32)}`, started: true,
  });
  return {
    kind: 'Pod', apiVersion: 'v1',
    metadata: {
      name, generateName: 'web-7d4b9c6f5d-', namespace: 'production', uid: `0b1c2d3e-4f50-6172-8394-a5b6c7d8e9${pad(i % 100)}`,
      resourceVersion: String(48_000_000 + i), creationTimestamp: t,
      labels: { app: 'web', 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop', 'pod-template-hash': '7d4b9c6f5d', tier: 'frontend' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': t, 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c6f5d', uid: '11111111-2222-3333-4444-555555555555', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"11111111-2222-3333-4444-555555555555"}': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:startTime': {} } } },
      ],
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: 'web-config', defaultMode: 420 } },
        { name: 'kube-api-access-x7k2p', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }], defaultMode: 420 } },
      ],
      containers: [container('web', 'registry.example.com/shop/web:1.42.0'), container('sidecar', 'registry.example.com/shop/proxy:2.3.1')],
      restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'web', serviceAccount: 'web',
      nodeName: `node-${i % 50}.eu-west-1.compute.internal`, securityContext: { fsGroup: 2000 }, schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t })),
      hostIP: '10.0.12.34', hostIPs: [{ ip: '10.0.12.34' }], podIP: `10.244.${i % 250}.${i % 200}`, podIPs: [{ ip: `10.244.${i % 250}.${i % 200}` }], startTime: t,
      containerStatuses: [containerStatus('web', 'registry.example.com/shop/web:1.42.0'), containerStatus('sidecar', 'registry.example.com/shop/proxy:2.3.1')],
      qosClass: 'Burstable',
    },
  } as KubeObject;
}

function measure(bytesPerRound: number, eventsPerRound: number, fn: () => unknown): { eps: number; mbps: number } {
  for (let i = 0; i < 20; i++) fn();
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  while ((elapsed = performance.now() - start) < 3000) {
    fn();
    rounds++;
  }
  return { eps: (rounds * eventsPerRound) / (elapsed / 1000), mbps: (rounds * bytesPerRound) / (elapsed / 1000) / 1e6 };
}

const N = 200;
const SUITES = ['realistic Pod', 'core.v1.Pod fixture (every field set)'] as const;
function buildSuite(name: (typeof SUITES)[number]) {
  const podFixture = decodeProtobufObject(new Uint8Array(readFileSync(new URL('testdata/HEAD/core.v1.Pod.pb', SHARED))));
  const objects = name === 'realistic Pod' ? Array.from({ length: N }, (_, i) => decodeProtobufObject(encodeProtobufObject(realisticPod(i)))) : Array.from({ length: N }, () => podFixture);
  const events: WatchEvent[] = objects.map((object) => ({ type: 'MODIFIED', object }));
  const pb = encodeAll(protobufCodec, events);
  const json = encodeAll(jsonCodec, events);
  const frames: Uint8Array[] = [];
  for (let at = 0; at < pb.length; ) {
    const len = new DataView(pb.buffer, pb.byteOffset + at).getUint32(0);
    frames.push(pb.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return { events, pb, json, frames };
}

/** Each candidate runs in its own process, so one's JIT state (protobufjs reflection's) cannot slow another. */
const CANDIDATES = {
  generated: (s: ReturnType<typeof buildSuite>) => measure(s.pb.length, N, () => decodeAll(protobufCodec, s.pb)),
  reflection: (s: ReturnType<typeof buildSuite>) => measure(s.pb.length, N, () => s.frames.map(reflectionDecode)),
  json: (s: ReturnType<typeof buildSuite>) => measure(s.json.length, N, () => decodeAll(jsonCodec, s.json)),
  'encode-generated': (s: ReturnType<typeof buildSuite>) => measure(s.pb.length, N, () => encodeAll(protobufCodec, s.events)),
  'encode-json': (s: ReturnType<typeof buildSuite>) => measure(s.json.length, N, () => encodeAll(jsonCodec, s.events)),
};
type Candidate = keyof typeof CANDIDATES;

const child = process.argv.indexOf('--child');
if (child !== -1) {
  const [suite, candidate] = [Number(process.argv[child + 1]), process.argv[child + 2] as Candidate];
  console.log(JSON.stringify(CANDIDATES[candidate](buildSuite(SUITES[suite]!))));
} else {
  const { execFileSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  for (const [i, name] of SUITES.entries()) {
    const s = buildSuite(name);
    // The benchmark checks what it times: both protobuf paths give the JSON path's events.
    const viaJson = decodeAll(jsonCodec, s.json);
    if (JSON.stringify(decodeAll(protobufCodec, s.pb)) !== JSON.stringify(viaJson)) throw new Error(`${name}: generated differs from JSON`);
    const viaReflection = s.frames.map(reflectionDecode);
    if (JSON.stringify(viaReflection.map((e) => sortDeep(e.object))) !== JSON.stringify(viaJson.map((e) => sortDeep(e.object)))) {
      throw new Error(`${name}: reflection differs from JSON`);
    }
    console.log(`\n${name}: ${(s.pb.length / N / 1024).toFixed(1)} KiB protobuf, ${(s.json.length / N / 1024).toFixed(1)} KiB JSON per event, ${N} events per round`);
    const results: Partial<Record<Candidate, { eps: number; mbps: number }>> = {};
    for (const candidate of Object.keys(CANDIDATES) as Candidate[]) {
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', String(i), candidate], { encoding: 'utf8' });
      const r = (results[candidate] = JSON.parse(out.trim().split('\n').pop()!) as { eps: number; mbps: number });
      console.log(`${candidate.padEnd(18)} ${Math.round(r.eps).toString().padStart(8)} events/s ${r.mbps.toFixed(1).padStart(7)} MB/s`);
    }
    console.log(`decode: generated/reflection ${(results.generated!.eps / results.reflection!.eps).toFixed(2)}x, generated/JSON ${(results.generated!.eps / results.json!.eps).toFixed(2)}x (events/s)`);
  }
}

function sortDeep(v: any): any {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])]));
  return v;
}
