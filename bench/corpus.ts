/**
 * Benchmark corpora, generated (never copied) from a seeded PRNG so every run,
 * on every machine, times the same bytes. Three corpora:
 *
 * - `pods`: realistic Pods of ~10 KB (several containers, env, volumes,
 *   status conditions, managedFields), as ADDED/MODIFIED/DELETED events with a
 *   few BOOKMARKs, the mix a busy namespace sends;
 * - `configmaps`: small ConfigMaps of ~1 KB with a few keys;
 * - `large`: one ConfigMap of 32 MiB (32 keys of 1 MiB), the case that breaks
 *   line-length limits and quadratic splitters.
 */
import { readFileSync } from 'node:fs';
import type { KubeObject, WatchEvent, WatchEventType } from 'watchwire';

/** mulberry32: tiny, fast and good enough to make varied but repeatable data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[this.int(16)];
    return out;
  }
  word(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += 'abcdefghijklmnopqrstuvwxyz'[this.int(26)];
    return out;
  }
  uid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-a${this.hex(3)}-${this.hex(12)}`;
  }
  /** RFC 3339 in seconds, UTC: the only form Kubernetes writes `Time` in. */
  time(): string {
    const ms = Date.UTC(2026, 0, 1) + this.int(300 * 24 * 3600) * 1000;
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

const APPS = ['checkout', 'payments', 'catalog', 'search', 'auth', 'gateway', 'ledger', 'notifier', 'billing', 'inventory'];
const IMAGES = ['nginx', 'envoyproxy/envoy', 'redis', 'busybox', 'grafana/agent', 'prom/node-exporter', 'otel/opentelemetry-collector'];
const NAMESPACES = ['prod', 'staging', 'team-a', 'team-b', 'observability'];
const CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

function container(rng: Rng, app: string, index: number): Record<string, unknown> {
  const name = index === 0 ? app : `${rng.pick(['sidecar', 'proxy', 'exporter', 'agent'])}-${index}`;
  const env: Record<string, unknown>[] = [];
  for (let i = 0; i < 6; i++) {
    env.push({ name: `${rng.word(6).toUpperCase()}_${rng.word(4).toUpperCase()}`, value: rng.word(8 + rng.int(24)) });
  }
  env.push({ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } });
  env.push({ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } });
  return {
    name,
    image: `registry.example.com/${rng.pick(IMAGES)}:v${1 + rng.int(3)}.${rng.int(30)}.${rng.int(10)}`,
    args: ['--port=8080', `--log-level=${rng.pick(['info', 'debug', 'warn'])}`, `--config=/etc/${app}/config.yaml`],
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090 + index, protocol: 'TCP' },
    ],
    env,
    resources: {
      limits: { cpu: `${1 + rng.int(4)}`, memory: `${128 * (1 + rng.int(8))}Mi` },
      requests: { cpu: `${100 + 50 * rng.int(8)}m`, memory: `${64 * (1 + rng.int(8))}Mi` },
    },
    volumeMounts: [
      { name: 'config', readOnly: true, mountPath: `/etc/${app}` },
      { name: 'data', mountPath: '/var/lib/data' },
      { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
    livenessProbe: {
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 10,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
}

function managedFields(rng: Rng, containers: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const specContainers: Record<string, unknown> = {};
  for (const c of containers) {
    specContainers[`k:{"name":"${String(c.name)}"}`] = {
      '.': {},
      'f:args': {},
      'f:env': Object.fromEntries((c.env as { name: string }[]).map((e) => [`k:{"name":"${e.name}"}`, { '.': {}, 'f:name': {}, 'f:value': {} }])),
      'f:image': {},
      'f:imagePullPolicy': {},
      'f:name': {},
      'f:ports': { '.': {}, 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
      'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
      'f:volumeMounts': { '.': {}, 'k:{"mountPath":"/var/lib/data"}': { '.': {}, 'f:mountPath': {}, 'f:name': {} } },
    };
  }
  return [
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'v1',
      time: rng.time(),
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {} } },
        'f:spec': { 'f:containers': specContainers, 'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:volumes': { '.': {} } },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: rng.time(),
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:status': {
          'f:conditions': Object.fromEntries(CONDITIONS.map((t) => [`k:{"type":"${t}"}`, { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} }])),
          'f:containerStatuses': {},
          'f:hostIP': {},
          'f:phase': {},
          'f:podIP': {},
          'f:podIPs': { '.': {}, 'k:{"ip":"10.0.0.1"}': { '.': {}, 'f:ip': {} } },
          'f:startTime': {},
        },
      },
      subresource: 'status',
    },
  ];
}

/** One ~10 KB Pod, shaped as the API server writes it. */
export function makePod(rng: Rng, index: number): KubeObject {
  const app = rng.pick(APPS);
  const hash = rng.hex(10);
  const name = `${app}-${hash}-${rng.word(5)}-${index}`;
  const namespace = rng.pick(NAMESPACES);
  const containerCount = 2 + rng.int(2);
  const containers = Array.from({ length: containerCount }, (_, i) => container(rng, app, i));
  const ip = `10.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
  const started = rng.time();
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      generateName: `${app}-${hash}-`,
      namespace,
      uid: rng.uid(),
      resourceVersion: String(100000 + index),
      creationTimestamp: started,
      labels: { app, 'pod-template-hash': hash, tier: rng.pick(['frontend', 'backend', 'data']), 'app.kubernetes.io/version': `1.${rng.int(40)}.0` },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': rng.time(),
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: rng.uid(), controller: true, blockOwnerDeletion: true },
      ],
      managedFields: managedFields(rng, containers),
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: 'data', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'tls', secret: { secretName: `${app}-tls`, defaultMode: 384 } },
        {
          name: 'kube-api-access',
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: app,
      serviceAccount: app,
      nodeName: `node-${rng.int(64)}.cluster.local`,
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: CONDITIONS.map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: rng.time() })),
      hostIP: `192.168.${rng.int(256)}.${1 + rng.int(254)}`,
      hostIPs: [{ ip: `192.168.${rng.int(256)}.${1 + rng.int(254)}` }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      containerStatuses: containers.map((c) => ({
        name: c.name,
        state: { running: { startedAt: rng.time() } },
        lastState: {},
        ready: true,
        restartCount: rng.int(3),
        image: c.image,
        imageID: `registry.example.com/${rng.pick(IMAGES)}@sha256:${rng.hex(64)}`,
        containerID: `containerd://${rng.hex(64)}`,
        started: true,
      })),
      qosClass: 'Burstable',
    },
  };
}

/** One ~1 KB ConfigMap with a few keys. */
export function makeConfigMap(rng: Rng, index: number): KubeObject {
  const app = rng.pick(APPS);
  const data: Record<string, string> = {};
  const keys = 3 + rng.int(3);
  for (let i = 0; i < keys; i++) data[`${rng.word(6)}.${rng.pick(['yaml', 'conf', 'properties'])}`] = rng.word(60 + rng.int(120));
  return {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: {
      name: `${app}-config-${rng.word(5)}-${index}`,
      namespace: rng.pick(NAMESPACES),
      uid: rng.uid(),
      resourceVersion: String(500000 + index),
      creationTimestamp: rng.time(),
      labels: { app, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': app, 'meta.helm.sh/release-namespace': 'prod' },
    },
    data,
  };
}

/** One ConfigMap of about `bytes` bytes: 1 MiB values of printable ASCII (no escapes in any format). */
export function makeLargeConfigMap(rng: Rng, bytes: number): KubeObject {
  const valueBytes = 1024 * 1024;
  const alphabet = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.');
  const latin1 = new TextDecoder('latin1');
  const data: Record<string, string> = {};
  const keys = Math.max(1, Math.round(bytes / valueBytes));
  const buffer = new Uint8Array(valueBytes);
  for (let k = 0; k < keys; k++) {
    for (let i = 0; i < valueBytes; i++) buffer[i] = alphabet[rng.int(alphabet.length)]!;
    data[`blob-${String(k).padStart(3, '0')}.txt`] = latin1.decode(buffer);
  }
  return {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'large-0', namespace: 'prod', uid: rng.uid(), resourceVersion: '900000', creationTimestamp: rng.time() },
    data,
  };
}

/** Pod bookmark as a server writes it (the non-omitempty zero fields included). */
function bookmark(kind: string, resourceVersion: string): KubeObject {
  return kind === 'Pod'
    ? { kind, apiVersion: 'v1', metadata: { resourceVersion }, spec: { containers: null }, status: {} }
    : { kind, apiVersion: 'v1', metadata: { resourceVersion } };
}

/** A watch's worth of events over `count` objects: ADDED first, then updates, some deletes, a bookmark every 100. */
export function makeEvents(count: number, seed: number, kind: string, make: (rng: Rng, index: number) => KubeObject): WatchEvent[] {
  const rng = new Rng(seed);
  const events: WatchEvent[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 100 === 0) {
      events.push({ type: 'BOOKMARK', object: bookmark(kind, String(100000 + i)) });
      continue;
    }
    const type: WatchEventType = i < count / 2 ? 'ADDED' : rng.next() < 0.85 ? 'MODIFIED' : 'DELETED';
    events.push({ type, object: make(rng, i) });
  }
  return events;
}

export interface CorpusSizes {
  pods: number;
  configmaps: number;
  largeBytes: number;
  /** Copies of the upstream fixture Pod (about 32 KB each as JSON). */
  fixturePods: number;
  /** Copies of it in the streams the CLI rows decode as whole processes (issue 14 used 4000). */
  cliPods: number;
}

export const FULL_SIZES: CorpusSizes = { pods: 2000, configmaps: 10000, largeBytes: 32 * 1024 * 1024, fixturePods: 1000, cliPods: 4000 };
export const QUICK_SIZES: CorpusSizes = { pods: 400, configmaps: 2000, largeBytes: 32 * 1024 * 1024, fixturePods: 250, cliPods: 1000 };

export interface CorpusSpec {
  name: 'pods' | 'configmaps' | 'large' | 'large-quarter' | 'fixture-pod';
  events: WatchEvent[];
}

/** The upstream core.v1.Pod fixture (every field filled, every string distinct), as the CLI is timed on it in issue 14. */
export const FIXTURE_POD = new URL('../../shared/k8s/testdata/HEAD/core.v1.Pod.json', import.meta.url);

/** `copies` ADDED events of the upstream fixture Pod, or why not (../shared absent). */
export function fixturePodCorpus(copies: number): CorpusSpec | string {
  let pod: KubeObject;
  try {
    pod = JSON.parse(readFileSync(FIXTURE_POD, 'utf8')) as KubeObject;
  } catch (e) {
    return `the upstream fixture ${FIXTURE_POD.pathname} is not readable (${(e as Error).message.slice(0, 120)}): fixture-pod rows skipped`;
  }
  const events: WatchEvent[] = [];
  // Each copy its own objects (as each decoded event is), the same content.
  for (let i = 0; i < copies; i++) events.push({ type: 'ADDED', object: structuredClone(pod) });
  return { name: 'fixture-pod', events };
}

export function makeCorpora(sizes: CorpusSizes): CorpusSpec[] {
  const podEvents = makeEvents(sizes.pods, 0x5eed01, 'Pod', makePod);
  const cmEvents = makeEvents(sizes.configmaps, 0x5eed02, 'ConfigMap', makeConfigMap);
  return [
    { name: 'pods', events: podEvents },
    { name: 'configmaps', events: cmEvents },
    { name: 'large', events: [{ type: 'ADDED', object: makeLargeConfigMap(new Rng(0x5eed03), sizes.largeBytes) }] },
    // A quarter of the large object: framing cost per byte must not grow with the object.
    { name: 'large-quarter', events: [{ type: 'ADDED', object: makeLargeConfigMap(new Rng(0x5eed05), sizes.largeBytes / 4) }] },
  ];
}
