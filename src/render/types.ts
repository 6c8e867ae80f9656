// The contract between the format folders (nomad/, compose/, kubernetes/) and the
// rest of render. Render is pure: files come in as values, and the few other files
// a job may read (a Compose `.env`, an `env_file`) are reached through `readFile`.
import type { Diagnostic, HostPathPolicy, Job, JobFormat, Position, RuntimeSupport } from '../model/index.js';
import type { SettingUse } from './explain.js';

export type { HostPathPolicy };

export interface SourceFile {
  /** Relative to the tree's root, `/`-separated. */
  path: string;
  text: string;
}

export interface RenderOptions {
  /** Environment for Compose interpolation and Nomad's `NOMAD_VAR_<name>`. */
  env: Record<string, string>;
  /** Nomad variable values from `--var name=value`. */
  vars: Record<string, string>;
  /** Nomad `--var-file` files (HCL, or JSON when the name ends in `.json`). */
  varFiles: SourceFile[];
  /** How large a job may be; default `defaultJobLimits` (validate.ts). The agent's settings may change them. */
  limits?: JobLimits;
}


/** A job asking for more than this is refused: a typo such as `count = 1000000` must not become a million containers. */
export interface JobLimits {
  /** Allocations per group (`count`, `replicas`). */
  maxCount: number;
  /** Groups per job. */
  maxGroups: number;
  /** Tasks per group. */
  maxTasks: number;
  /** The host paths bind mounts may use (host-paths.ts); absent: none. */
  hostPaths?: HostPathPolicy;
  /** What the agent's runtime cannot run (`--runtime swarm`); absent: the local engine runs everything the model holds. */
  runtimeSupport?: RuntimeSupport;
}

export interface RenderContext extends RenderOptions {
  /** The name of the tree's root folder (a Compose file at the root takes its job id from it). */
  rootName: string;
  /** Reads another file of the tree, by path relative to the root; undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Where a file is a link to, when it leads outside the tree and was therefore not read (readFile gave undefined). */
  linkOutside?(path: string): string | undefined;
}

/**
 * Where each model field came from, keyed by its path in the Job
 * (`groups.0.update.canary`, `groups.0.tasks.1.image`), so checks shared by all
 * formats can point at the file's own field name and position.
 */
export type FieldMap = Map<string, FieldOrigin>;

export interface FieldOrigin {
  /** The field in the file's own terms, e.g. `group.web.update.canary` or `services.web.deploy.replicas`. */
  field: string;
  pos: Position;
  /** Set when the field comes from another file than the job's (a Kubernetes Service beside its Deployment). */
  file?: string;
}

export interface MappedJob {
  job: Job;
  fields: FieldMap;
  /** A Kubernetes Deployment's namespace and pod labels, which Services select it by. */
  selectable?: { namespace: string; labels: Record<string, string> };
  /** What a Kubernetes Deployment takes from Secrets and ConfigMaps, filled in once the tree is rendered (kubernetes/attach-configs.ts). */
  configRefs?: ConfigRef[];
}

/** A Kubernetes Secret or ConfigMap as read from its file, before the Deployments using it are matched with it. */
export interface ConfigSource {
  kind: 'Secret' | 'ConfigMap';
  name: string;
  namespace: string;
  /** Key → content: text, or base64 when it is not UTF-8 text. */
  data: Map<string, { content: string; encoding?: 'base64' }>;
  /** Its `metadata.name`, in its own file. */
  origin: FieldOrigin & { file: string };
  /** Its file has errors: the Deployments using it are held back rather than changed. */
  broken: boolean;
}

interface ConfigRefBase {
  kind: ConfigSource['kind'];
  name: string;
  /** The container's index in the pod (the task's in the group). */
  task: number;
  optional: boolean;
  /** Where the reference is written, in the Deployment's file. */
  origin: FieldOrigin;
}

/** A Deployment's use of a Secret or ConfigMap: one variable, all its keys as variables, or its keys as files. */
export type ConfigRef =
  | (ConfigRefBase & { use: 'env'; env: string; key: string })
  | (ConfigRefBase & { use: 'envFrom'; prefix: string })
  | (ConfigRefBase & { use: 'files'; mountPath: string; subPath: string | null; items: Array<{ key: string; path: string; mode: number | null }> | null; defaultMode: number })
  /** A pod's `imagePullSecrets` entry: a `kubernetes.io/dockerconfigjson` Secret whose credentials for the task's registry it pulls with. */
  | (ConfigRefBase & { use: 'pull' });

export interface FormatResult {
  jobs: MappedJob[];
  diagnostics: Diagnostic[];
  /** What deckhand does with each key its decision tables judged (explain.ts). */
  settings?: SettingUse[];
  /** Kubernetes Services of the file; attached to the Deployments they select once the tree is rendered (kubernetes/services.ts). */
  services?: ServiceDefinition[];
  /** Kubernetes Secrets and ConfigMaps of the file, for the Deployments that use them (kubernetes/attach-configs.ts). */
  configSources?: ConfigSource[];
}

/** A Kubernetes Service as read from its file, before it is matched with a Deployment. */
export interface ServiceDefinition {
  name: string;
  namespace: string;
  /** Pod labels it selects; never empty (a Service without a selector is skipped where it is read). */
  selector: Record<string, string>;
  /** `clusterIP: None`: a name for the pods, without a port in front of them. */
  headless: boolean;
  ports: ServicePort[];
  /** Its `metadata.name`, in its own file. */
  origin: FieldOrigin & { file: string };
  selectorOrigin: FieldOrigin & { file: string };
  /** Its file has errors: the Deployments it may select are held back rather than changed. */
  broken: boolean;
}

export interface ServicePort {
  /** What clients connect to: nodePort (NodePort, LoadBalancer) when given, else port. */
  port: number;
  /** A container port's number or name. */
  target: number | string;
  origin: FieldOrigin & { file: string };
  portOrigin: FieldOrigin & { file: string };
  targetOrigin: FieldOrigin & { file: string };
}

/** One format: turns one file into jobs. Must never throw on bad input. */
/**
 * A job format: how its files are recognised and how they render into jobs. Each
 * format is a folder of src/render listed once in formats.ts; discovery, rendering
 * and every "not a job file" message read that list.
 */
export interface FormatRenderer {
  format: JobFormat;
  /** How people recognise its files, for messages: `*.nomad or *.nomad.hcl`. */
  describe: string;
  /** Whether a file's name alone makes it this format. */
  claimsName(path: string): boolean;
  /**
   * For a YAML file whose name decides nothing: a cheap look at its text. 'maybe':
   * the words are there but only parsing tells (flow style, anchors, tags).
   */
  claimsText?(text: string): boolean | 'maybe';
  /** The parsed YAML documents of a file some format said 'maybe' of. */
  claimsDocuments?(documents: readonly unknown[]): boolean;
  render(file: SourceFile, context: RenderContext): FormatResult;
}
