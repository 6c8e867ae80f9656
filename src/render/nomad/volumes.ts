// Nomad's volumes → the job's named volumes and each task's mounts:
// - the docker config's `volumes = ["name:/path", "/host:/path:ro"]`: a bare name is
//   a named volume of the job, an absolute path a bind mount (the agent allows it or
//   refuses it, render/host-paths.ts); a relative path is refused (Nomad reads it from
//   the allocation's directory, which deckhand does not make and which goes with it);
// - the docker config's `mount { type = "volume" | "bind" | "tmpfs" ... }` blocks;
// - a group's `volume "x" { type = "host" source = "data" }` with a task's
//   `volume_mount { volume = "x" destination = "/data" }`: a Nomad client's host
//   volume is named in the client's settings, which deckhand does not have, so it
//   is the job's named Docker volume `deckhand-<job>-<source>`: its data stays
//   across updates as a host volume's does. CSI volumes are refused.
import type { JobVolume, Mount } from '../../model/index.js';
import type { Block, Span } from '../../hcl/index.js';
import type { NomadContext } from './context.js';
import { BlockReader } from './reader.js';

/** A group's `volume` blocks by their label; `refused`: one already reported, whose mounts say nothing more. */
export type GroupVolumes = Map<string, { source: string; readOnly: boolean } | { refused: true }>;

/** Where a task's mounts come from: its own block (volume_mount) and its docker config. */
export interface MountSources {
  task: BlockReader;
  config: BlockReader | undefined;
}

interface PositionedMount {
  mount: Mount;
  span: Span;
  field: string;
}

export function readGroupVolumes(ctx: NomadContext, blocks: Block[]): GroupVolumes {
  const volumes: GroupVolumes = new Map();
  for (const block of blocks) {
    if (block.labels.length !== 1) {
      ctx.error(block.typeSpan, 'volume', 'a volume block needs exactly one label: volume "data" { ... }');
      continue;
    }
    const name = block.labels[0]!;
    // Until it is read whole, a mount of it is no news: the volume's own error says what is wrong.
    volumes.set(name, { refused: true });
    const reader = BlockReader.ofBlock(ctx, block, 'volume', `volume.${name}`);
    const type = reader.string('type');
    if (type && type.value !== 'host') {
      ctx.report('error', 'unsupported', type.span, type.field, `volume type "${type.value}" is not supported: deckhand mounts host volumes, as named Docker volumes of the job`, 'use type = "host"');
      continue;
    }
    for (const option of ['per_alloc', 'access_mode', 'attachment_mode', 'mount_options', 'sticky']) {
      const read = reader.value(option);
      if (read && read.value !== false) {
        ctx.report('error', 'unsupported', read.span, read.field, `${option} is not supported: a host volume is one named Docker volume of the job, mounted by every allocation`, `remove ${option}`);
      }
    }
    for (const nested of reader.blocks('mount_options')) ctx.report('error', 'unsupported', nested.typeSpan, `volume.${name}.mount_options`, 'mount_options is not supported', 'remove mount_options');
    const source = reader.string('source');
    if (!source) {
      reader.missing('source', 'the host volume\'s name: source = "data"');
      continue;
    }
    if (!validVolumeName(source.value)) {
      ctx.error(source.span, source.field, `expected a volume name of letters, digits, "_", "." and "-", got "${source.value}"`);
      continue;
    }
    volumes.set(name, { source: source.value, readOnly: reader.bool('read_only')?.value ?? false });
  }
  return volumes;
}

/**
 * The task's mounts, in file order: volume_mount blocks, then the docker config's
 * `volumes`, then its `mount` blocks. Records each one's origin at `taskPath.mounts.N`;
 * `jobVolumes` receives the named volumes they use.
 */
export function mapTaskMounts(ctx: NomadContext, groupVolumes: GroupVolumes, sources: MountSources, taskPath: string, jobVolumes: JobVolume[]): Mount[] {
  const found: PositionedMount[] = [
    ...sources.task.blocks('volume_mount').flatMap((block) => volumeMount(ctx, groupVolumes, block) ?? []),
    ...(sources.config ? configVolumes(ctx, sources.config) : []),
    ...(sources.config?.blocks('mount') ?? []).flatMap((block) => mountBlock(ctx, block) ?? []),
  ];
  if (sources.config) volumeDriver(ctx, sources.config);
  const mounts: Mount[] = [];
  for (const { mount, span, field } of found) {
    if (mounts.some((m) => m.target === mount.target)) {
      ctx.report('error', 'duplicate', span, field, `two mounts at ${mount.target}`);
      continue;
    }
    ctx.origin(`${taskPath}.mounts.${mounts.length}`, span, field);
    mounts.push(mount);
    if (mount.type === 'volume' && !jobVolumes.some((v) => v.name === mount.source)) jobVolumes.push({ name: mount.source, dockerName: null, external: false, driverOpts: {} });
  }
  return mounts;
}

function volumeMount(ctx: NomadContext, groupVolumes: GroupVolumes, block: Block): PositionedMount | undefined {
  const reader = BlockReader.ofBlock(ctx, block, 'volume_mount', 'volume_mount');
  const volume = reader.string('volume');
  const destination = reader.string('destination');
  if (!volume) reader.missing('volume', 'the label of a volume block of the group');
  if (!destination) reader.missing('destination', 'the path inside the container');
  const propagation = reader.string('propagation_mode');
  if (propagation && propagation.value !== 'private') {
    ctx.report('error', 'unsupported', propagation.span, propagation.field, `propagation_mode "${propagation.value}" is not supported: volumes are mounted private`, 'remove propagation_mode');
  }
  const selinux = reader.string('selinux_label');
  if (selinux) ctx.report('error', 'unsupported', selinux.span, selinux.field, 'selinux_label is not supported: deckhand does not relabel volumes', 'remove selinux_label');
  if (!volume || !destination) return undefined;
  const declared = groupVolumes.get(volume.value);
  if (declared && 'refused' in declared) return undefined;
  if (!declared) {
    ctx.error(volume.span, volume.field, `volume "${volume.value}" is not declared in the group`, `add volume "${volume.value}" { type = "host" source = "${volume.value}" } to the group`);
    return undefined;
  }
  if (!absolute(ctx, destination.value, destination.span, destination.field)) return undefined;
  const readOnly = declared.readOnly || (reader.bool('read_only')?.value ?? false);
  return { mount: { type: 'volume', source: declared.source, target: destination.value, readOnly }, span: block.typeSpan, field: 'volume_mount' };
}

/** `volumes = ["name:/path", "/host/path:/path:ro"]`, each entry at its own place in the list. */
function configVolumes(ctx: NomadContext, config: BlockReader): PositionedMount[] {
  const list = config.stringList('volumes');
  if (!list) return [];
  const expr = config.attribute('volumes')!.expr;
  return list.value.flatMap((entry, i) => {
    const span = expr.kind === 'tuple' && expr.items[i] ? expr.items[i].span : expr.span;
    const field = `config.volumes[${i}]`;
    const parts = entry.split(':');
    const [source, target, mode = 'rw'] = parts as [string, string | undefined, string?];
    if (parts.length < 2 || parts.length > 3 || !target) {
      ctx.error(span, field, `expected "name:/path" or "/host/path:/path[:ro]", got "${entry}"`);
      return [];
    }
    if (mode !== 'ro' && mode !== 'rw') {
      ctx.report('error', 'unsupported', span, field, `volume mode "${mode}" is not supported: expected ro or rw`);
      return [];
    }
    const mount = sourceMount(ctx, source, target, mode === 'ro', span, field);
    return mount ? [{ mount, span, field }] : [];
  });
}

/** `mount { type = "volume" | "bind" | "tmpfs", target, source, readonly }`; driver, bind, volume and tmpfs options are refused. */
function mountBlock(ctx: NomadContext, block: Block): PositionedMount | undefined {
  const reader = BlockReader.ofBlock(ctx, block, 'mount', 'config.mount');
  for (const option of ['bind_options', 'volume_options', 'tmpfs_options']) {
    const nested = [...reader.blocks(option).map((b) => b.typeSpan), ...(reader.attribute(option) ? [reader.attribute(option)!.nameSpan] : [])];
    for (const span of nested) ctx.report('error', 'unsupported', span, `config.mount.${option}`, `${option} is not supported: deckhand mounts with Docker's defaults`, `remove ${option}`);
  }
  const type = reader.oneOf('type', ['volume', 'bind', 'tmpfs'] as const);
  const target = reader.string('target');
  if (!target) {
    reader.missing('target', 'the path inside the container');
    return undefined;
  }
  if (!absolute(ctx, target.value, target.span, target.field)) return undefined;
  const readOnly = reader.bool('readonly')?.value ?? false;
  const kind = type?.value ?? 'volume';
  if (kind === 'tmpfs') return { mount: { type: 'tmpfs', source: '', target: target.value, readOnly }, span: block.typeSpan, field: 'config.mount' };
  const source = reader.string('source');
  if (!source) {
    reader.missing('source', kind === 'bind' ? 'the host path' : 'the volume\'s name: an unnamed volume would be a new, empty one for every allocation');
    return undefined;
  }
  if (kind === 'bind' && !source.value.startsWith('/')) {
    ctx.report('error', 'unsupported', source.span, source.field, `a relative host path (${source.value}) is refused: Nomad reads it from the allocation's directory, which deckhand does not make`, 'use an absolute path under a directory the agent allows (allow-host-path), or a named volume');
    return undefined;
  }
  const mount = kind === 'bind' ? { type: 'bind' as const, source: source.value, target: target.value, readOnly } : sourceMount(ctx, source.value, target.value, readOnly, source.span, source.field);
  return mount ? { mount, span: block.typeSpan, field: 'config.mount' } : undefined;
}

/** A name: the job's named volume; an absolute path: a bind mount; anything else is refused. */
function sourceMount(ctx: NomadContext, source: string, target: string, readOnly: boolean, span: Span, field: string): Mount | undefined {
  if (!absolute(ctx, target, span, field)) return undefined;
  if (source.startsWith('/')) return { type: 'bind', source, target, readOnly };
  if (!validVolumeName(source)) {
    ctx.report('error', 'unsupported', span, field, `a relative host path (${source}) is refused: Nomad reads it from the allocation's directory, which deckhand does not make and which would go with each allocation`, 'name a volume ("data:/path"), or use an absolute path under a directory the agent allows (allow-host-path)');
    return undefined;
  }
  return { type: 'volume', source, target, readOnly };
}

/** `volume_driver`: only Docker's local driver, on deckhand's one engine. */
function volumeDriver(ctx: NomadContext, config: BlockReader): void {
  const driver = config.string('volume_driver');
  if (driver && driver.value !== 'local') {
    ctx.report('error', 'unsupported', driver.span, driver.field, `volume driver "${driver.value}" is not supported: deckhand makes local volumes on its one Docker engine`, 'remove volume_driver');
  }
}

function absolute(ctx: NomadContext, target: string, span: Span, field: string): boolean {
  if (target.startsWith('/')) return true;
  ctx.error(span, field, `expected an absolute path inside the container, got "${target}"`);
  return false;
}

/** Docker's volume names (Nomad's host volume names are as strict). */
function validVolumeName(name: string): boolean {
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name);
}
