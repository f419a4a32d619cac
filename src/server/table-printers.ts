/**
 * The columns an API server prints for a kind (its Table convertor), and
 * the cells for one object: Pods as kubectl shows them, the common
 * built-in kinds (Namespace, Node, ConfigMap, Secret, Service, Deployment,
 * ReplicaSet, StatefulSet, DaemonSet), and Name / Created At for the rest.
 * The rules (which field, which fallback text) are the API server's, as
 * `kubectl get` shows them; priority-1 columns are the `-o wide` ones.
 */
import type { KubeObject } from '../core/event.js';
import type { ResourceInfo } from './resources.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  object?: KubeObject;
}

export interface Printer {
  columns: TableColumnDefinition[];
  cells(object: KubeObject, now: number): unknown[];
  conditions?(object: KubeObject): TableRow['conditions'];
}

function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME_DESCRIPTION = 'Name must be unique within a namespace (metadata.name).';
const CREATED_DESCRIPTION = 'When the object was created (metadata.creationTimestamp).';

/** What an API server prints for kinds without their own printer. */
const DEFAULT_PRINTER: Printer = {
  columns: [column('Name', 'string', NAME_DESCRIPTION, 0, 'name'), column('Created At', 'date', CREATED_DESCRIPTION)],
  cells: (object) => [object.metadata?.name ?? '', object.metadata?.creationTimestamp ?? null],
};

const POD_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Ready', 'string', 'Ready containers of all containers in the pod.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'Container restarts, and how long ago the last one was.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    column('IP', 'string', 'The pod IP (status.podIPs[0]).', 1),
    column('Node', 'string', 'The node the pod is bound to (spec.nodeName).', 1),
    column('Nominated Node', 'string', 'The node the scheduler nominated for preemption (status.nominatedNodeName).', 1),
    column('Readiness Gates', 'string', 'Readiness gates whose condition is True, of all gates (spec.readinessGates).', 1),
  ],
  cells: podCells,
  conditions: (object) => {
    const phase = (object.status as PodStatus | undefined)?.phase;
    if (phase === 'Succeeded') return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    if (phase === 'Failed') return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    return undefined;
  },
};

interface ContainerState {
  waiting?: { reason?: string };
  running?: object;
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface PodStatus {
  phase?: string;
  reason?: string;
  podIP?: string;
  podIPs?: { ip?: string }[];
  nominatedNodeName?: string;
  conditions?: { type?: string; status?: string; reason?: string }[];
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}

interface PodSpec {
  nodeName?: string;
  containers?: unknown[];
  initContainers?: { name?: string; restartPolicy?: string }[];
  readinessGates?: { conditionType?: string }[];
}

/** The cells kubectl shows for a Pod, computed as the API server's Pod printer does (facts from its behaviour). */
function podCells(pod: KubeObject, now: number): unknown[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const status = (pod.status ?? {}) as PodStatus;
  const conditions = status.conditions ?? [];
  const total = spec.containers?.length ?? 0;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (c: ContainerStatus): void => {
    const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (finished > lastRestart) lastRestart = finished;
  };
  let reason = status.reason || status.phase || '';
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  // Sidecars (init containers with restartPolicy Always) keep running and count as containers' restarts.
  const sidecars = new Set((spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let sidecarRestarts = 0;
  let sidecarLastRestart = 0;
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i]!;
    restarts += c.restartCount ?? 0;
    noteRestart(c);
    const sidecar = sidecars.has(c.name);
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
      if (finished > sidecarLastRestart) sidecarLastRestart = finished;
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated !== undefined && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started === true) {
      if (c.ready === true) ready++;
      continue;
    }
    if (terminated !== undefined) {
      reason = terminated.reason ? `Init:${terminated.reason}` : terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${spec.initContainers?.length ?? inits.length}`;
    }
    initializing = true;
    break;
  }
  const initialized = conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = sidecarLastRestart;
    let running = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const c = containers[i]!;
      restarts += c.restartCount ?? 0;
      noteRestart(c);
      const { waiting, terminated } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated !== undefined) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (c.ready === true && c.state?.running !== undefined) {
        running = true;
        ready++;
      }
    }
    if (reason === 'Completed' && running) reason = conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }
  if (pod.metadata?.deletionTimestamp !== undefined) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (status.phase !== 'Succeeded' && status.phase !== 'Failed') reason = 'Terminating';
  }
  const restartsCell = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);

  const ip = status.podIPs?.[0]?.ip || status.podIP || '<none>';
  const gates = spec.readinessGates ?? [];
  let gatesCell = '<none>';
  if (gates.length > 0) {
    const met = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
    gatesCell = `${met}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    `${ready}/${total}`,
    reason,
    restartsCell,
    age(pod.metadata?.creationTimestamp as string | undefined, now),
    ip,
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    gatesCell,
  ];
}

function age(timestamp: string | undefined, now: number): string {
  const at = Date.parse(timestamp ?? '');
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now - at);
}

/**
 * A duration as kubectl's AGE column writes it: `45s`, `3m20s`, `25m`,
 * `5h12m`, `20h`, `3d4h`, `335d`, `2y15d`, `9y`; precision drops as the
 * duration grows.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

type Fields = Record<string, any>;

const spec = (o: KubeObject): Fields => (o.spec ?? {}) as Fields;
const status = (o: KubeObject): Fields => (o.status ?? {}) as Fields;
const created = (o: KubeObject, now: number): string => age(o.metadata?.creationTimestamp as string | undefined, now);
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
const none = (text: string | undefined): string => (text === undefined || text === '' ? '<none>' : text);
const unknown = (text: string | undefined): string => (text === undefined || text === '' ? '<unknown>' : text);

/** `app=web,tier in (a,b)`: a LabelSelector as the API server formats it; `<none>` when empty. */
function formatSelector(selector: Fields | undefined): string {
  if (selector === undefined) return '<none>';
  const parts = Object.entries((selector.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  for (const e of (selector.matchExpressions ?? []) as Fields[]) {
    const values = ((e.values ?? []) as string[]).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(String(e.key));
    else if (e.operator === 'DoesNotExist') parts.push(`!${String(e.key)}`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

/** The CONTAINERS and IMAGES cells of a workload's pod template. */
function templateContainers(o: KubeObject): [string, string] {
  const containers = ((spec(o).template?.spec?.containers ?? []) as Fields[]);
  return [containers.map((c) => c.name ?? '').join(','), containers.map((c) => c.image ?? '').join(',')];
}

const WORKLOAD_WIDE = [
  column('Containers', 'string', 'Names of each container in the template.', 1),
  column('Images', 'string', 'Images referenced by each container in the template.', 1),
  column('Selector', 'string', 'Label query over the pods this workload manages.', 1),
];

const NAMESPACE_PRINTER: Printer = {
  columns: [column('Name', 'string', NAME_DESCRIPTION, 0, 'name'), column('Status', 'string', 'The phase of the namespace.'), column('Age', 'string', CREATED_DESCRIPTION)],
  cells: (o, now) => [o.metadata?.name ?? '', status(o).phase ?? '', created(o, now)],
};

const CONFIGMAP_PRINTER: Printer = {
  columns: [column('Name', 'string', NAME_DESCRIPTION, 0, 'name'), column('Data', 'integer', 'Number of keys in data and binaryData.'), column('Age', 'string', CREATED_DESCRIPTION)],
  cells: (o, now) => [o.metadata?.name ?? '', Object.keys((o.data ?? {}) as object).length + Object.keys((o.binaryData ?? {}) as object).length, created(o, now)],
};

const SECRET_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Type', 'string', 'The type of the secret.'),
    column('Data', 'integer', 'Number of keys in data.'),
    column('Age', 'string', CREATED_DESCRIPTION),
  ],
  cells: (o, now) => [o.metadata?.name ?? '', (o.type as string | undefined) ?? '', Object.keys((o.data ?? {}) as object).length, created(o, now)],
};

function serviceExternalIp(o: KubeObject): string {
  const s = spec(o);
  const external = (s.externalIPs ?? []) as string[];
  switch (s.type) {
    case 'LoadBalancer': {
      const ingress = ((status(o).loadBalancer?.ingress ?? []) as Fields[]).map((i) => i.ip ?? i.hostname ?? '').filter((x: string) => x !== '');
      const all = [...ingress, ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return s.externalName ?? '<none>';
    default:
      return external.length > 0 ? external.join(',') : '<none>';
  }
}

const SERVICE_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Type', 'string', 'The type of the service.'),
    column('Cluster-IP', 'string', 'The IP address of the service.'),
    column('External-IP', 'string', 'The external IP addresses of the service.'),
    column('Port(s)', 'string', 'The ports the service exposes.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    column('Selector', 'string', 'Route traffic to pods with labels matching this selector.', 1),
  ],
  cells: (o, now) => {
    const s = spec(o);
    const ports = ((s.ports ?? []) as Fields[]).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`);
    const selector = Object.entries((s.selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
    return [o.metadata?.name ?? '', s.type ?? 'ClusterIP', none(s.clusterIP), serviceExternalIp(o), ports.length > 0 ? ports.join(',') : '<none>', created(o, now), selector.length > 0 ? selector.join(',') : '<none>'];
  },
};

const DEPLOYMENT_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Ready', 'string', 'Ready replicas of the desired ones.'),
    column('Up-to-date', 'integer', 'Replicas updated to the latest template.'),
    column('Available', 'integer', 'Replicas available to their users.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    ...WORKLOAD_WIDE,
  ],
  cells: (o, now) => {
    const st = status(o);
    const desired = spec(o).replicas ?? 1;
    return [o.metadata?.name ?? '', `${count(st.readyReplicas)}/${desired}`, count(st.updatedReplicas), count(st.availableReplicas), created(o, now), ...templateContainers(o), formatSelector(spec(o).selector)];
  },
};

const REPLICASET_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Desired', 'integer', 'The desired number of replicas.'),
    column('Current', 'integer', 'The observed number of replicas.'),
    column('Ready', 'integer', 'The number of ready replicas.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    ...WORKLOAD_WIDE,
  ],
  cells: (o, now) => {
    const st = status(o);
    return [o.metadata?.name ?? '', spec(o).replicas ?? 1, count(st.replicas), count(st.readyReplicas), created(o, now), ...templateContainers(o), formatSelector(spec(o).selector)];
  },
};

const STATEFULSET_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Ready', 'string', 'Ready replicas of the desired ones.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    WORKLOAD_WIDE[0]!,
    WORKLOAD_WIDE[1]!,
  ],
  cells: (o, now) => [o.metadata?.name ?? '', `${count(status(o).readyReplicas)}/${spec(o).replicas ?? 1}`, created(o, now), ...templateContainers(o)],
};

const DAEMONSET_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Nodes running at least one daemon pod.'),
    column('Ready', 'integer', 'Nodes with a ready daemon pod.'),
    column('Up-to-date', 'integer', 'Nodes running the updated daemon pod.'),
    column('Available', 'integer', 'Nodes with an available daemon pod.'),
    column('Node Selector', 'string', 'Which nodes the daemon pod runs on.'),
    column('Age', 'string', CREATED_DESCRIPTION),
    ...WORKLOAD_WIDE,
  ],
  cells: (o, now) => {
    const st = status(o);
    const nodeSelector = Object.entries((spec(o).template?.spec?.nodeSelector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
    return [
      o.metadata?.name ?? '',
      count(st.desiredNumberScheduled),
      count(st.currentNumberScheduled),
      count(st.numberReady),
      count(st.updatedNumberScheduled),
      count(st.numberAvailable),
      nodeSelector.length > 0 ? nodeSelector.join(',') : '<none>',
      created(o, now),
      ...templateContainers(o),
      formatSelector(spec(o).selector),
    ];
  },
};

const NODE_PRINTER: Printer = {
  columns: [
    column('Name', 'string', NAME_DESCRIPTION, 0, 'name'),
    column('Status', 'string', 'The status of the node.'),
    column('Roles', 'string', 'The roles of the node (node-role.kubernetes.io/ labels).'),
    column('Age', 'string', CREATED_DESCRIPTION),
    column('Version', 'string', 'The kubelet version.'),
    column('Internal-IP', 'string', 'The node\'s internal IP.', 1),
    column('External-IP', 'string', 'The node\'s external IP.', 1),
    column('OS-Image', 'string', 'The OS image of the node.', 1),
    column('Kernel-Version', 'string', 'The kernel version.', 1),
    column('Container-Runtime', 'string', 'The container runtime and its version.', 1),
  ],
  cells: (o, now) => {
    const st = status(o);
    const ready = ((st.conditions ?? []) as Fields[]).find((c) => c.type === 'Ready');
    // A Ready condition that is not True (False or Unknown) reads NotReady; no condition at all reads Unknown.
    const states = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
    if (spec(o).unschedulable === true) states.push('SchedulingDisabled');
    const labels = o.metadata?.labels ?? {};
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .filter((r) => r !== '');
    if (labels['kubernetes.io/role']) roles.push(labels['kubernetes.io/role']);
    const address = (type: string): string => ((st.addresses ?? []) as Fields[]).find((a) => a.type === type)?.address ?? '<none>';
    const info = (st.nodeInfo ?? {}) as Fields;
    return [
      o.metadata?.name ?? '',
      states.join(','),
      roles.length > 0 ? [...roles].sort().join(',') : '<none>',
      created(o, now),
      info.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      unknown(info.osImage),
      unknown(info.kernelVersion),
      unknown(info.containerRuntimeVersion),
    ];
  },
};

/** Printers by `group/Kind` (a kind's printer is the same in every version served). */
const PRINTERS: ReadonlyMap<string, Printer> = new Map([
  ['/Pod', POD_PRINTER],
  ['/Namespace', NAMESPACE_PRINTER],
  ['/Node', NODE_PRINTER],
  ['/ConfigMap', CONFIGMAP_PRINTER],
  ['/Secret', SECRET_PRINTER],
  ['/Service', SERVICE_PRINTER],
  ['apps/Deployment', DEPLOYMENT_PRINTER],
  ['apps/ReplicaSet', REPLICASET_PRINTER],
  ['apps/StatefulSet', STATEFULSET_PRINTER],
  ['apps/DaemonSet', DAEMONSET_PRINTER],
]);

/** The printer for a resource: its own, or Name / Created At. */
export function printerFor(info: Pick<ResourceInfo, 'group' | 'kind'>): Printer {
  return PRINTERS.get(`${info.group}/${info.kind}`) ?? DEFAULT_PRINTER;
}
