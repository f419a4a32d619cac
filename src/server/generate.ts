/** Generated objects: the `generate` option's Pods and the `firehose` load. */
import type { KubeObject } from '../core/event.js';

/** Deterministic Pods: `pod-0000` ... spread over the namespaces, labelled by index. */
export function generatePods(count: number, namespaces: readonly string[] = ['default']): KubeObject[] {
  const pods: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    const name = `pod-${String(i).padStart(4, '0')}`;
    pods.push(podObject(name, namespaces[i % namespaces.length] ?? 'default', i));
  }
  return pods;
}

function podObject(name: string, namespace: string, i: number): KubeObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      creationTimestamp: '2026-01-02T03:04:05Z',
      labels: { app: i % 2 === 0 ? 'web' : 'db', index: String(i) },
    },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources: {} }], restartPolicy: 'Always', nodeName: `node-${i % 3}` },
    status: runningPodStatus(`10.0.${(i >> 8) & 255}.${i & 255}`, `10.1.0.${i % 3}`, i),
  };
}

const STARTED = '2026-01-02T03:04:06Z';

/**
 * What the kubelet reports for a started, ready single-container Pod: the
 * conditions `kubectl wait --for=condition=Ready` watches for, and the
 * container status behind READY 1/1 in `kubectl get pods`.
 */
export function runningPodStatus(podIP: string, hostIP: string, i: number, container = 'main'): Record<string, unknown> {
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: STARTED });
  return {
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: STARTED,
    containerStatuses: [
      {
        name: container,
        state: { running: { startedAt: STARTED } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: 'docker.io/library/nginx:1.27',
        imageID: 'docker.io/library/nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000',
        containerID: `containerd://${i.toString(16).padStart(64, '0')}`,
        started: true,
      },
    ],
    qosClass: 'BestEffort',
  };
}

/** A load-generation Pod (`firehose`): not stored, padded to about `objectBytes`. */
export function firehosePod(resourceVersion: number, objectBytes: number): KubeObject {
  const pod = podObject(`load-${resourceVersion % 1000}`, 'load', resourceVersion % 1000);
  pod.metadata = { ...pod.metadata, resourceVersion: String(resourceVersion), annotations: { padding: 'x'.repeat(Math.max(0, objectBytes - 600)) } };
  return pod;
}
