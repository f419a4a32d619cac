import { dump } from 'js-yaml';
import type { Encoder } from '../../core/codec.js';
import type { KubeObject, WatchEvent } from '../../core/event.js';
import { utf8Encode } from '../../core/utf8.js';

/**
 * Writes documents the way kubectl's YAML printer does: keys sorted (it goes
 * through a Go map), sequences not indented under their key, strings that
 * need quotes in double quotes (go-yaml's choice: `"yes"`, `"2024-01-02T03:04:05Z"`),
 * a `---` line between documents and none before the first. Long strings are not folded.
 */
function yamlDocuments<T>(toDocument: (value: T) => unknown): Encoder<T> {
  let first = true;
  return {
    encode(value) {
      const text = dump(toDocument(value), { sortKeys: true, seqNoIndent: true, lineWidth: -1, noRefs: true, quoteStyle: 'double' });
      const separator = first ? '' : '---\n';
      first = false;
      return utf8Encode(separator + text);
    },
  };
}

/** `kubectl get -w -o yaml --output-watch-events`: each document is `{object, type}`. */
export function yamlEventEncoder(): Encoder<WatchEvent> {
  return yamlDocuments((event: WatchEvent) => ({ type: event.type, object: event.object }));
}

/** `kubectl get -w -o yaml`: each document is the bare object. */
export function yamlObjectEncoder(): Encoder<KubeObject> {
  return yamlDocuments((object: KubeObject) => object);
}
