import type { WatchEvent } from '../core/event.js';
import { runningPodStatus } from '../server/generate.js';

/** A small deterministic watch history of Pods: adds, updates, a bookmark, a delete. */
export function sampleEvents(count = 6): WatchEvent[] {
  const events: WatchEvent[] = [];
  for (let i = 0; i < count; i++) {
    const name = `web-${i % 3}`;
    const type = i < 3 ? 'ADDED' : i === count - 1 ? 'DELETED' : 'MODIFIED';
    events.push({
      type,
      object: {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: {
          name,
          namespace: 'demo',
          uid: `0000000${i % 3}-0000-4000-8000-000000000000`,
          resourceVersion: String(1000 + i),
          creationTimestamp: '2026-01-02T03:04:05Z',
          labels: { app: 'web', 'pod-template-hash': '5d8f7c' },
        },
        spec: {
          containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }],
          restartPolicy: 'Always',
        },
        // Running Pods report a ready container, so kubectl's view of the demo shows READY 1/1.
        status: i < 3 ? { phase: 'Pending' } : runningPodStatus(`10.0.0.${10 + (i % 3)}`, `10.1.0.${i % 3}`, i % 3, 'web'),
      },
    });
  }
  events.splice(count - 1, 0, {
    type: 'BOOKMARK',
    object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(1000 + count) }, spec: { containers: null }, status: {} },
  });
  return events;
}
