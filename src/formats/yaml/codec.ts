import type { Codec } from '../../core/codec.js';
import { YamlEventDecoder, YamlObjectDecoder } from './decoder.js';
import { yamlEventEncoder, yamlObjectEncoder } from './encoder.js';
import { YamlDocumentFramer } from './framer.js';

/**
 * `application/yaml`: documents separated by `---`. The API server cannot
 * stream YAML (a watch asking only for it gets 406); these streams come from
 * kubectl and saved files.
 */
export const yamlCodec: Codec = {
  name: 'yaml',
  mediaType: 'application/yaml',
  alsoReads: ['application/x-yaml', 'text/yaml'],
  accept: 'application/yaml',
  servable: false,
  createFramer: (limits) => new YamlDocumentFramer(limits.maxFrameBytes),
  createDecoder: (limits, options) => new YamlEventDecoder(limits, options),
  createEncoder: yamlEventEncoder,
  objects: {
    mediaType: 'application/yaml',
    createFramer: (limits) => new YamlDocumentFramer(limits.maxFrameBytes),
    createDecoder: (limits, options) => new YamlObjectDecoder(limits, options),
    createEncoder: yamlObjectEncoder,
  },
};
