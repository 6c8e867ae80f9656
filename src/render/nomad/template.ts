// A task's `template` blocks with inline `data`, as files mounted read-only into its
// container: `destination = "local/app.conf"` appears at /local/app.conf and
// `secrets/...` at /secrets/..., the folders Nomad's docker driver mounts. A template
// rendered into secrets/ is sensitive: plans and the API show it as (sensitive).
// `env = true` also reads the content as `KEY=value` lines into the task's environment.
//
// deckhand does not evaluate Nomad's template language (Consul, Vault and `env`
// functions): data holding the template delimiters is refused, as is `source` (a
// path on the Nomad client, usually fetched by an `artifact` deckhand does not fetch).
import type { TaskFile } from '../../model/index.js';
import type { Block } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

export interface MappedTemplates {
  files: TaskFile[];
  /** Variables of `env = true` templates, in order. */
  env: Record<string, string>;
  /** Those of them rendered into secrets/. */
  sensitiveEnv: string[];
}

/** A template may be at most this large: its content travels in the job (store, labels, plans). */
const maxTemplateBytes = 256 * 1024;

/** Nomad's task directories, as `${NOMAD_*_DIR}` names them, and the folder each is mounted at. */
const taskDirs: Record<string, string> = { '${NOMAD_TASK_DIR}': 'local', '${NOMAD_SECRETS_DIR}': 'secrets' };

export function mapTemplates(ctx: NomadContext, blocks: Block[], modelPath: string): MappedTemplates {
  const mapped: MappedTemplates = { files: [], env: {}, sensitiveEnv: [] };
  blocks.forEach((block) => {
    const reader = BlockReader.ofBlock(ctx, block, 'template', 'template');
    for (const owner of ['uid', 'gid']) {
      const attribute = reader.attribute(owner);
      if (attribute) ctx.report('error', 'unsupported', attribute.nameSpan, reader.field(owner), `template ${owner} is not supported: the agent writes the file as its own user, and cannot give it away`, 'remove it; perms = "444" lets every user of the container read the file');
    }
    const source = reader.attribute('source');
    if (source) {
      ctx.report('error', 'unsupported', source.nameSpan, reader.field('source'), 'template source is not supported: it names a file on the Nomad client, which deckhand does not have', 'write the content inline with data = <<EOF ... EOF');
      return;
    }
    const destination = reader.string('destination');
    if (!destination) {
      reader.missing('destination', 'destination = "local/app.conf" (or "secrets/..." for a secret)');
      return;
    }
    if (/^(\$\{NOMAD_ALLOC_DIR\}|(\.\/)?(\.\.\/)?alloc)\//.test(destination.value)) {
      // Nomad's allocation directory is shared by the group's tasks; deckhand mounts a template into its own task only.
      ctx.report('error', 'unsupported', destination.span, destination.field, `a template in the allocation directory is not supported: "${destination.value}" would be seen by every task of the group in Nomad, and deckhand mounts a template into its own task only`, 'give each task that reads it its own template, with destination = "local/..."');
      return;
    }
    const target = containerPath(destination.value);
    if (target === undefined) {
      ctx.error(destination.span, destination.field, `expected a destination under local/ or secrets/ (the task directories deckhand mounts), got "${destination.value}"`, 'destination = "local/app.conf"');
      return;
    }
    const data = reader.string('data');
    if (!data) {
      reader.missing('data', 'data = <<EOF ... EOF holds the content');
      return;
    }
    const left = reader.string('left_delimiter')?.value ?? '{{';
    const right = reader.string('right_delimiter')?.value ?? '}}';
    // Never the data itself in the message: it may be a secret.
    if (left !== '' && data.value.includes(left) && data.value.indexOf(right, data.value.indexOf(left)) >= 0) {
      ctx.report('error', 'unsupported', data.span, data.field, `template data holds "${left} ... ${right}" on its line ${lineOf(data.value, data.value.indexOf(left))}: deckhand does not evaluate Nomad's template language (Consul, Vault and env functions)`, 'write the content as it should appear; or set left_delimiter and right_delimiter to strings the content never holds');
      return;
    }
    if (Buffer.byteLength(data.value) > maxTemplateBytes) {
      ctx.error(data.span, data.field, `expected at most ${maxTemplateBytes / 1024} KiB of data, got ${Math.ceil(Buffer.byteLength(data.value) / 1024)} KiB`);
      return;
    }
    const perms = reader.string('perms');
    const mode = perms === undefined ? 0o644 : /^0?[0-7]{3}$/.test(perms.value) ? parseInt(perms.value, 8) : undefined;
    if (mode === undefined) {
      ctx.error(perms!.span, perms!.field, `expected permission bits in octal such as "644", got "${perms!.value}"`);
      return;
    }
    const sensitive = target.startsWith('/secrets/');
    if (mapped.files.some((f) => f.target === target)) {
      ctx.error(destination.span, destination.field, `two templates write ${destination.value}`);
      return;
    }
    ctx.origin(`${modelPath}.files.${mapped.files.length}`, block.typeSpan, 'template');
    mapped.files.push({ target, content: data.value, mode, sensitive });
    if (reader.bool('env')?.value) {
      const parsed = parseEnvLines(data.value);
      if ('error' in parsed) {
        ctx.error(data.span, data.field, `expected KEY=value lines for env = true: ${parsed.error}`);
        return;
      }
      for (const [key, value] of parsed.values) {
        mapped.env[key] = value;
        if (sensitive && !mapped.sensitiveEnv.includes(key)) mapped.sensitiveEnv.push(key);
      }
    }
  });
  return mapped;
}

/** `local/x`, `./secrets/x`, `${NOMAD_SECRETS_DIR}/x` → `/local/x`, `/secrets/x`; undefined for anything else. */
function containerPath(destination: string): string | undefined {
  let path = destination.replace(/^\.\//, '');
  for (const [name, dir] of Object.entries(taskDirs)) if (path.startsWith(`${name}/`)) path = `${dir}/${path.slice(name.length + 1)}`;
  const parts = path.split('/');
  if (!['local', 'secrets'].includes(parts[0]!) || parts.length < 2 || parts.some((p, i) => p === '..' || (p === '' && i > 0) || p.includes('${'))) return undefined;
  return `/${path}`;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/**
 * `KEY=value` lines as Nomad reads an `env = true` template (go-envparse): blank lines and
 * `#` comments skipped, an optional `export `, values in single quotes taken as they
 * are, in double quotes with backslash escapes. Errors name the line, never its value.
 */
export function parseEnvLines(text: string): { values: Array<[string, string]> } | { error: string } {
  const values: Array<[string, string]> = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!match) return { error: `line ${i + 1} is not KEY=value` };
    const raw = match[2]!;
    let value: string;
    if (raw.startsWith("'")) {
      if (!raw.endsWith("'") || raw.length < 2) return { error: `line ${i + 1} has an unterminated single quote` };
      value = raw.slice(1, -1);
    } else if (raw.startsWith('"')) {
      if (!/^"(?:[^"\\]|\\.)*"$/.test(raw)) return { error: `line ${i + 1} has an unterminated double quote` };
      value = raw.slice(1, -1).replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else {
      value = raw.replace(/\s+#.*$/, '');
    }
    values.push([match[1]!, value]);
  }
  return { values };
}
