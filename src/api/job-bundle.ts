// What `run` and `plan` send to the agent: a job file with the few files and
// values its rendering read (a Compose `.env`, an `env_file`, Nomad variables,
// the environment variables it interpolated). The agent renders the bundle
// itself, so one renderer decides and errors keep their file:line:col.
import type { Diagnostic } from '../model/index.js';
import type { DiscoveredFile, JobLimits, RenderedJob, RenderOptions, SourceFile, SourceTree } from '../render/index.js';
import { renderPath } from '../render/index.js';

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
  additionalProperties: false,
  properties: {
    path: { type: 'string', minLength: 1 },
    rootName: { type: 'string' },
    files: { type: 'object', additionalProperties: { type: 'string' } },
    variables: { type: 'object', additionalProperties: { type: 'string' } },
    varFiles: {
      type: 'array',
      items: { type: 'object', required: ['path', 'text'], additionalProperties: false, properties: { path: { type: 'string' }, text: { type: 'string' } } },
    },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/**
 * What one bundle may hold. A bundle is one job file (at most 1 MiB) and the few
 * files its rendering read; a body of 300,000 tiny files cost the agent 170 MB of
 * heap before these limits, so they are checked before anything is decoded.
 */
export const bundleLimits = {
  /** Files and var files. */
  maxFiles: 200,
  /** Bytes of all files and var files together (UTF-8). */
  maxBytes: 4 * 1024 * 1024,
  /** Variables and environment values together. */
  maxValues: 1000,
  /** Bundles the agent receives and renders at once; more are answered 429. */
  maxConcurrent: 4,
} as const;

export interface BundleProblem {
  code: 'bundle-too-many-files' | 'bundle-too-large' | 'bundle-too-many-values';
  message: string;
}

/** Why a bundle is over the limits, or null. The CLI checks its own bundles with it before sending them. */
export function bundleProblem(bundle: JobBundle, limits: { maxFiles: number; maxBytes: number; maxValues: number } = bundleLimits): BundleProblem | null {
  const fileNames = Object.keys(bundle.files);
  const varFiles = bundle.varFiles ?? [];
  const files = fileNames.length + varFiles.length;
  if (files > limits.maxFiles) {
    return { code: 'bundle-too-many-files', message: `the bundle holds ${files} files; a bundle may hold at most ${limits.maxFiles} (the job file and the files its rendering reads: .env, env_file, var files)` };
  }
  const values = Object.keys(bundle.variables ?? {}).length + Object.keys(bundle.env ?? {}).length;
  if (values > limits.maxValues) {
    return { code: 'bundle-too-many-values', message: `the bundle holds ${values} variables and environment values; a bundle may hold at most ${limits.maxValues}` };
  }
  let bytes = 0;
  for (const name of fileNames) bytes += Buffer.byteLength(name) + Buffer.byteLength(bundle.files[name]!);
  for (const file of varFiles) bytes += Buffer.byteLength(file.path) + Buffer.byteLength(file.text);
  if (bytes > limits.maxBytes) {
    return { code: 'bundle-too-large', message: `the bundle's files hold ${kibibytes(bytes)}; a bundle may hold at most ${kibibytes(limits.maxBytes)} (a job file is at most 1 MiB)` };
  }
  return null;
}

/**
 * Members (`"name": value`) a JSON body may hold, counted over its bytes before
 * it is parsed: a full bundle has about 1,600 (files, var files, values), while
 * 300,000 tiny files in a 4 MB body would cost 50 MB of heap to parse.
 */
export const maxJsonMembers = 4000;

/** Whether the JSON text holds more than `limit` object members (colons outside strings); stops counting there. */
export function exceedsJsonMembers(bytes: Uint8Array, limit = maxJsonMembers): boolean {
  let members = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === 0x5c) i++; // a backslash escapes the next byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x3a && ++members > limit) {
      return true;
    }
  }
  return false;
}

function kibibytes(bytes: number): string {
  return `${Math.ceil(bytes / 1024).toLocaleString('en-US')} KiB`;
}

export interface BundleRenderResult {
  file: DiscoveredFile | null;
  jobs: RenderedJob[];
  diagnostics: Diagnostic[];
}

const encoder = new TextEncoder();

export function renderBundle(bundle: JobBundle, limits?: JobLimits): BundleRenderResult {
  const files = new Map(Object.entries(bundle.files).map(([path, text]) => [path, encoder.encode(text)]));
  const tree: SourceTree = { rootName: bundle.rootName, files };
  const options: RenderOptions = { env: bundle.env ?? {}, vars: bundle.variables ?? {}, varFiles: bundle.varFiles ?? [], ...(limits ? { limits } : {}) };
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
