// A compose file → one job: the project is the job, each service a group.
import { sortDiagnostics } from '../../model/index.js';
import type { Endpoint, Group, Job, Position } from '../../model/index.js';
import type { FieldMap, FormatResult, RenderContext, SourceFile } from '../types.js';
import { linkOutsideMessage } from '../links.js';
import { loadYaml } from '../yaml/document.js';
import { describeValue, isPlainMap } from '../yaml/values.js';
import type { PlainMap } from '../yaml/values.js';
import { parseEnvFile } from './env-file.js';
import { checkDecisions, topLevelFields } from './field-decisions.js';
import type { Lookup } from './interpolate.js';
import { interpolateTree } from './interpolate-tree.js';
import { topLevelKeys } from './keys.js';
import { folderOf } from './paths.js';
import { folderName, normalizeProjectName } from './project-name.js';
import { Reporter } from './report.js';
import { readNetworks, usedNetworks } from './networks.js';
import { readVolumes } from './volumes.js';
import { readDeclaredFiles } from './secrets.js';
import { mapService } from './service.js';
import { readString, unreadable, refuseUnknownKeys } from './values.js';

const fileStart: Position = { line: 1, col: 1 };

export function renderCompose(file: SourceFile, context: RenderContext): FormatResult {
  const result = mapFile(file, context);
  return { jobs: result.jobs, diagnostics: sortDiagnostics(result.diagnostics), ...(result.settings ? { settings: result.settings } : {}) };
}

function mapFile(file: SourceFile, context: RenderContext): FormatResult {
  const loaded = loadYaml(file);
  if (loaded.diagnostics.length > 0) return { jobs: [], diagnostics: loaded.diagnostics };
  const [doc, ...extra] = loaded.documents;
  const r = new Reporter(file.path, doc ? doc.locate : () => fileStart, file.text);
  if (!doc || !isPlainMap(doc.value)) {
    const found = doc ? describeValue(doc.value) : 'an empty file';
    r.error([], `expected a map with "services:" at the top of a compose file, got ${found}`, { at: fileStart });
    return { jobs: [], diagnostics: r.diagnostics };
  }
  if (extra.length > 0) {
    r.warning([], `a compose file holds one YAML document; the ${extra.length} after the first are ignored`, {
      code: 'extra-document',
      at: extra[0]!.locate([]),
    });
  }

  const dir = folderOf(file.path);
  const lookup = projectLookup(context, dir, r);
  const root = interpolateTree(doc.value, lookup, r) as PlainMap;
  refuseUnknownKeys(r, [], root, topLevelKeys);
  checkDecisions(r, [], root, topLevelFields);

  const fields: FieldMap = new Map();
  const id = jobId(r, root, file.path, context.rootName, fields);
  const services = servicesOf(r, root);
  if (id === undefined || services === undefined) return { jobs: [], diagnostics: r.diagnostics, settings: r.settings };

  const declared = readNetworks(r, root.networks);
  const declaredVolumes = readVolumes(r, root.volumes);
  const declaredFiles = readDeclaredFiles(r, root, dir, context.readFile, context.linkOutside);
  const endpoints: Endpoint[] = [];
  const serviceNames = new Set(Object.keys(services));
  const groups: Group[] = Object.entries(services).map(([name, value], index) =>
    mapService(
      { r, fields, path: ['services', name], name, group: `groups.${index}`, lookup, dir, readFile: context.readFile, ...(context.linkOutside ? { linkOutside: context.linkOutside } : {}), networks: declared, volumes: declaredVolumes, serviceNames, endpoints, files: declaredFiles },
      value,
    ),
  );
  const networks = usedNetworks(r, declared, groups, fields);
  // Only the volumes some service mounts; deckhand never makes one nobody uses.
  const mounted = new Set(groups.flatMap((g) => g.tasks.flatMap((t) => (t.mounts ?? []).filter((m) => m.type === 'volume').map((m) => m.source))));
  const volumes = [...declaredVolumes.values()].filter((d) => mounted.has(d.volume.name)).map((d) => d.volume);
  const job: Job = { id, type: 'service', source: { format: 'compose', file: file.path }, meta: {}, historyLimit: null, networks, endpoints, ...(volumes.length ? { volumes } : {}), groups };
  return { jobs: [{ job, fields }], diagnostics: r.diagnostics, settings: r.settings };
}

/**
 * Variables for interpolation: the process environment, then the `.env` file
 * beside the compose file (the environment wins, as in Compose).
 */
function projectLookup(context: RenderContext, dir: string, r: Reporter): Lookup {
  const fromEnvironment: Lookup = (name) => (Object.hasOwn(context.env, name) ? context.env[name] : undefined);
  const dotenvPath = dir ? `${dir}/.env` : '.env';
  const text = context.readFile(dotenvPath);
  if (text === undefined) {
    const target = context.linkOutside?.(dotenvPath);
    if (target !== undefined) r.inOtherFile(dotenvPath, { severity: 'error', line: 1, col: 1, message: linkOutsideMessage('the file', target) }, 'link-outside');
    return fromEnvironment;
  }
  const dotenv = parseEnvFile(text, fromEnvironment);
  for (const problem of dotenv.problems) {
    r.inOtherFile(dotenvPath, problem, problem.severity === 'error' ? 'env-file' : 'unset-variable');
  }
  return (name) => fromEnvironment(name) ?? (Object.hasOwn(dotenv.values, name) ? dotenv.values[name] : undefined);
}

/** The top-level `name:`, else the folder's name, normalized as Compose normalizes project names. */
function jobId(r: Reporter, root: PlainMap, file: string, rootName: string, fields: FieldMap): string | undefined {
  const given = readString(r, ['name'], root.name);
  if (given !== undefined) {
    const id = normalizeProjectName(given);
    if (id === '') {
      r.error(['name'], `expected a project name of lowercase letters, digits, "_" or "-", got ${describeValue(given)}`);
      return undefined;
    }
    if (id !== given) {
      r.warning(['name'], `project name ${describeValue(given)} holds characters Compose does not allow; the job id is "${id}"`, {
        code: 'normalized-name',
        hint: 'use lowercase letters, digits, "_" and "-", starting with a letter or digit',
      });
    }
    fields.set('id', r.origin(['name']));
    return id;
  }
  const folder = folderName(file, rootName);
  const id = normalizeProjectName(folder);
  if (id === '') {
    r.error([], `expected a folder name to take the job id from, got ${describeValue(folder)}, which has no lowercase letters or digits`, {
      at: fileStart,
      hint: 'add a top-level "name:"',
    });
    return undefined;
  }
  fields.set('id', r.origin(['services'], 'key'));
  return id;
}

function servicesOf(r: Reporter, root: PlainMap): PlainMap | undefined {
  const value = root.services;
  if (value === unreadable) return undefined;
  if (value === undefined) {
    r.error([], 'expected a "services:" map at the top level, got none', { at: fileStart });
    return undefined;
  }
  if (!isPlainMap(value)) {
    r.error(['services'], `expected a map of services, got ${describeValue(value)}`);
    return undefined;
  }
  if (Object.keys(value).length === 0) {
    r.error(['services'], 'expected at least one service, got none');
    return undefined;
  }
  return value;
}
