// The Compose / Swarm stack file format: one compose file is one job, each service
// a group of one task. Every problem in the file is a Diagnostic; an exception would
// be a deckhand bug, which the tree's renderFile reports against the file.
import type { FormatRenderer } from '../types.js';
import { isYamlMap, yamlKey } from '../yaml/detect.js';
import { renderCompose } from './project.js';

const composeName = /(^|\/)(compose\.ya?ml|docker-compose[^/]*\.ya?ml|[^/]*\.stack\.ya?ml)$/;
/** A top-level `services:` holding a map, block or flow style. */
const servicesMap = new RegExp(`${yamlKey('services')}(&\\S+\\s*)?(\\{|(#.*)?\\n(\\s*(#.*)?\\n)*[ \\t]+[^\\s#-])`, 'm');

export const composeRenderer: FormatRenderer = {
  format: 'compose',
  describe: 'compose.yaml, docker-compose*.yaml, *.stack.yaml or any YAML with a top-level services:',
  claimsName: (path) => composeName.test(path),
  claimsText: (text) => (servicesMap.test(text) ? true : /\bservices\b/.test(text) ? 'maybe' : false),
  claimsDocuments: (documents) => documents.length > 0 && isYamlMap(documents[0]) && isYamlMap(documents[0].services),
  render: renderCompose,
};
