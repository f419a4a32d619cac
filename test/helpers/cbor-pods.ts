import type { WatchEvent } from 'watchwire';

/**
 * A realistic Pod as a Deployment creates it (about 10 KB of compact JSON):
 * labels, owner reference, managedFields, two containers with env, probes and
 * mounts, projected service-account volume, conditions and container
 * statuses. Deterministic in `i`.
 */
export function realisticPod(i: number): Record<string, unknown> {
  const name = `checkout-7d9f8b6c5-${(i * 7919).toString(36).padStart(5, 'x')}`;
  const ts = `2026-03-0${1 + (i % 9)}T1${i % 10}:2${i % 10}:3${i % 10}Z`;
  const container = (cname: string, image: string, port: number) => ({
    name: cname,
    image,
    command: ['/app/server'],
    args: ['--port', String(port), '--log-level=info', '--metrics-addr=:9090'],
    ports: [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'checkout-db', key: 'url' } } },
      { name: 'CACHE_TTL_SECONDS', value: '300' },
      { name: 'FEATURE_FLAGS', value: 'new-cart,fast-path,async-payments' },
    ],
    resources: { limits: { cpu: '500m', memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/checkout', readOnly: true },
      { name: `kube-api-access-${i % 97}`, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
    ],
    livenessProbe: {
      httpGet: { path: '/healthz', port, scheme: 'HTTP' },
      initialDelaySeconds: 10,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/ready', port, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
  });
  const status = (cname: string, image: string) => ({
    name: cname,
    state: { running: { startedAt: ts } },
    lastState: {},
    ready: true,
    restartCount: i % 3,
    image,
    imageID: `${image.split(':')[0]}@sha256:${'0123456789abcdef'.repeat(4)}`,
    containerID: `containerd://${'fedcba9876543210'.repeat(4)}`,
    started: true,
    volumeMounts: [{ name: 'config', mountPath: '/etc/checkout', readOnly: true, recursiveReadOnly: 'Disabled' }],
  });
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      generateName: 'checkout-7d9f8b6c5-',
      namespace: 'shop',
      uid: `6f1c2a9e-${String(1000 + (i % 9000)).padStart(4, '0')}-4b7d-9c1e-5a3f8d2b7e10`,
      resourceVersion: String(184467 + i),
      creationTimestamp: ts,
      labels: { app: 'checkout', 'app.kubernetes.io/part-of': 'shop', 'pod-template-hash': '7d9f8b6c5', tier: 'backend' },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': ts,
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: 'b3a1f0c2-5d6e-4f70-8a9b-0c1d2e3f4a5b', controller: true, blockOwnerDeletion: true },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: ts,
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:generateName': {},
              'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {}, 'f:tier': {} },
              'f:ownerReferences': { '.': {}, 'k:{"uid":"b3a1f0c2-5d6e-4f70-8a9b-0c1d2e3f4a5b"}': {} },
            },
            'f:spec': {
              'f:containers': { 'k:{"name":"checkout"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} } },
              'f:dnsPolicy': {},
              'f:restartPolicy': {},
              'f:schedulerName': {},
            },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: ts,
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } },
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': { '.': {}, 'k:{"ip":"10.244.3.17"}': { '.': {}, 'f:ip': {} } },
              'f:startTime': {},
            },
          },
        },
      ],
    },
    spec: {
      volumes: [
        { name: 'config', configMap: { name: 'checkout-config', defaultMode: 420 } },
        {
          name: `kube-api-access-${i % 97}`,
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
      containers: [container('checkout', 'registry.example.com/shop/checkout:1.42.0', 8080), container('envoy', 'envoyproxy/envoy:v1.31.2', 15001)],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'checkout',
      serviceAccount: 'checkout',
      nodeName: `worker-${i % 12}`,
      securityContext: { runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
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
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: ts,
      })),
      hostIP: `192.168.10.${i % 250}`,
      hostIPs: [{ ip: `192.168.10.${i % 250}` }],
      podIP: `10.244.3.${i % 250}`,
      podIPs: [{ ip: `10.244.3.${i % 250}` }],
      startTime: ts,
      containerStatuses: [status('checkout', 'registry.example.com/shop/checkout:1.42.0'), status('envoy', 'envoyproxy/envoy:v1.31.2')],
      qosClass: 'Burstable',
    },
  };
}

/** `count` watch events over realistic Pods. */
export function podEvents(count: number): WatchEvent[] {
  const types = ['ADDED', 'MODIFIED', 'MODIFIED', 'DELETED'] as const;
  return Array.from({ length: count }, (_, i) => ({ type: types[i % 4]!, object: realisticPod(i) }));
}
