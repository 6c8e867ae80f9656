// What `run` and `plan` send to the agent: a job file with the few files and
// values its rendering read (a Compose `.env`, an `env_file`, Nomad variables,
// the environment variables it interpolated). The agent renders the bundle
// itself, so one renderer decides and errors keep their file:line:col.
import type { Diagnostic } from '../../model/diagnostic.js';
import type { DiscoveredFile } from '../../render/discover.js';
import type { RenderedJob, SourceTree } from '../../render/tree.js';
import { renderPath } from '../../render/tree.js';
import type { RenderOptions, SourceFile } from '../../render/types.js';

export interface JobBundle {
  /** The job file, relative to `rootName`'s folder. */
  path: string;
  /** The folder's name (a Compose file's job id comes from it). */
  rootName: string;
  /** Path → text of every file the render read, the job file included. */
  files: Record<string, string>;
  variables?: Record<string, string>;
  varFiles?: SourceFile[];
  /** Only the environment variables the render looked up: never the caller's whole environment. */
  env?: Record<string, string>;
}

/** JSON schema of a bundle, for the API's request validation. */
export const jobBundleSchema = {
  type: 'object',
  required: ['path', 'rootName', 'files'],
  properties: {
    path: { type: 'string', minLength: 1 },
    rootName: { type: 'string' },
    files: { type: 'object', additionalProperties: { type: 'string' } },
    variables: { type: 'object', additionalProperties: { type: 'string' } },
    varFiles: {
      type: 'array',
      items: { type: 'object', required: ['path', 'text'], properties: { path: { type: 'string' }, text: { type: 'string' } } },
    },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

export interface BundleRenderResult {
  file: DiscoveredFile | null;
  jobs: RenderedJob[];
  diagnostics: Diagnostic[];
}

const encoder = new TextEncoder();

export function renderBundle(bundle: JobBundle): BundleRenderResult {
  const files = new Map(Object.entries(bundle.files).map(([path, text]) => [path, encoder.encode(text)]));
  const tree: SourceTree = { rootName: bundle.rootName, files };
  const options: RenderOptions = { env: bundle.env ?? {}, vars: bundle.variables ?? {}, varFiles: bundle.varFiles ?? [] };
  return renderPath(tree, bundle.path, options, true);
}

/**
 * An environment that remembers which names were read, so a client sends the
 * agent only the variables its job file interpolates. Listing it shows only
 * `NOMAD_VAR_*` names: the one place that enumerates the environment (Nomad
 * variables) wants no others, and listing must not count as reading them all.
 */
export function recordingEnvironment(env: Record<string, string>): { env: Record<string, string>; used: () => Record<string, string> } {
  const read = new Set<string>();
  const note = (name: string | symbol) => {
    if (typeof name === 'string' && Object.hasOwn(env, name)) read.add(name);
  };
  const proxy = new Proxy(env, {
    get: (target, name) => (note(name), Reflect.get(target, name)),
    has: (target, name) => (note(name), Reflect.has(target, name)),
    getOwnPropertyDescriptor: (target, name) => (note(name), Reflect.getOwnPropertyDescriptor(target, name)),
    ownKeys: (target) => Reflect.ownKeys(target).filter((name) => typeof name === 'string' && name.startsWith('NOMAD_VAR_')),
  });
  return { env: proxy, used: () => Object.fromEntries([...read].map((name) => [name, env[name]!])) };
}
