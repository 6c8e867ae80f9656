// `imagePullPolicy`: Always, IfNotPresent, Never. When it is absent Kubernetes pulls
// `:latest` and untagged images always; deckhand keeps its agent's policy (`--pull`,
// pull when absent by default), so a Deployment that says nothing runs as before
// (docs/spec.md says so). `IfNotPresent` on any other image is what the API server
// writes when the field is absent: read as absent, so writing it out changes nothing.
import type { PullPolicy } from '../../model/index.js';
import { imageReference } from '../../model/index.js';
import { unknownKeyHint } from '../suggest.js';
import type { YamlPath } from '../yaml/document.js';
import type { ManifestReader } from './reader.js';

const policies: Record<string, PullPolicy> = { Always: 'always', IfNotPresent: 'missing', Never: 'never' };

export function mapPullPolicy(reader: ManifestReader, container: YamlPath, task: string, image: string): { pull?: PullPolicy } {
  const path = [...container, 'imagePullPolicy'];
  if (!reader.has(path)) return {};
  const value = reader.string(path);
  if (value === undefined) return {};
  const policy = policies[value];
  if (!policy) {
    reader.expected(path, '"Always", "IfNotPresent" or "Never"', unknownKeyHint(value, Object.keys(policies)));
    return {};
  }
  const { tag, digest } = imageReference(image);
  if (policy === 'missing' && (digest !== null || (tag !== null && tag !== 'latest'))) return {};
  reader.record(`${task}.pull`, path);
  return { pull: policy };
}
