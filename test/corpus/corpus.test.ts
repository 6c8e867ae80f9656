// Every job file of the real-world corpus (fixtures/real/, see its README) renders to
// its reviewed golden: the job model and every diagnostic, as `deckhand validate FILE`
// and `deckhand render FILE` would give them. A change in how any real file reads shows
// here as a diff to review. Regenerate after an intended change with:
//   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest test/corpus
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../src/model/index.js';
import { formatDiagnostic } from '../../src/model/index.js';
import { defaultJobLimits, explainFile, renderPath } from '../../src/render/index.js';
import type { RenderOptions } from '../../src/render/index.js';

const corpus = join(process.cwd(), 'fixtures', 'real');
const goldens = join(corpus, 'golden');
const formats = ['nomad', 'compose', 'kubernetes'] as const;
const update = process.env.UPDATE_GOLDEN === '1';

interface Origin {
  file: string;
  repository: string;
  path: string;
  commit: string;
  licence: string;
}

/** As the CLI renders a file with no flags: no environment, no variables, no host path allowed. */
const options: RenderOptions = { env: {}, vars: {}, varFiles: [], limits: { ...defaultJobLimits, hostPaths: { allowed: [] } } };

const files = formats.flatMap((format) =>
  readdirSync(join(corpus, format))
    .sort()
    .map((name) => `${format}/${name}`),
);

/**
 * Renders one corpus file the way `deckhand validate fixtures/real/<format>/<name>` does
 * (cli/load-jobs.ts: the file named alone, its folder as root), but with only the file
 * itself in the tree: the corpus keeps job text only, and files beside it are other
 * projects' files, not this one's.
 */
function renderCorpusFile(file: string) {
  const [format, name] = file.split('/') as [string, string];
  const tree = { rootName: format, files: new Map([[name, readFileSync(join(corpus, file))]]) };
  const result = renderPath(tree, name, options, true);
  const shown = (d: Diagnostic) => formatDiagnostic({ ...d, file: `${format}/${d.file}` });
  const explained = explainFile(name, result.settings ?? [], result.diagnostics);
  return {
    format: result.file?.format ?? null,
    valid: result.file !== null && !result.diagnostics.some((d) => d.severity === 'error'),
    diagnostics: result.diagnostics.map(shown),
    // The codes, for docs/compatibility.md's counts by feature.
    codes: result.diagnostics.map((d) => `${d.severity} ${d.code} ${feature(d.field)}`.trim()),
    jobs: result.jobs.map((j) => j.job),
    // What `deckhand validate --explain` lists as accepted without effect; what is refused is the errors above.
    acceptedWithoutEffect: explained.noEffect.map((n) => `${n.line}:${n.col} ${n.field}: ${n.reason}`),
    noEffectFeatures: explained.noEffect.map((n) => feature(n.field)),
  };
}

/** A diagnostic's field with the file's own names and indexes left out: `services.web.volumes[0]` → `services.*.volumes[]`. */
function feature(field: string): string {
  return field
    .replace(/\[\d+\]/g, '[]')
    .replace(/^(services|secrets|networks|volumes|configs)\.[^.]+/, '$1.*')
    .replace(/\b(volume|networks)\.[^.]+\.(type|ipv4_address)$/, '$1.*.$2')
    .replace(/\.build\.args\.[^.]+$/, '.build.args.*')
    .replace(/\.environment\.[^.]+$/, '.environment[]')
    .replace(/\.ulimits\.[^.]+/, '.ulimits.*');
}

/**
 * The settings real files hold that deckhand accepts without effect, each reviewed as
 * changing nothing that runs on one Docker engine (the reason is the decision table's,
 * shown by `validate --explain` and in each golden). A setting that lands in "accepted
 * without effect" and is not listed here fails the test: a silent drop until reviewed,
 * then carried out, refused with an error, or listed here.
 */
const reviewedNoEffect: Record<(typeof formats)[number], readonly string[]> = {
  nomad: [
    // Placement among Nomad clients and regions; deckhand has one engine. Constraints and
    // spreads Swarm can say are carried into the job for --runtime swarm; the reason says which.
    'datacenters', 'constraint', 'affinity', 'spread', 'namespace',
    // Moving and rescheduling allocations between clients; deckhand replaces failed ones itself.
    'migrate', 'reschedule', 'max_client_disconnect',
    // Consul's and Nomad's service catalogue; deckhand's edge serves the port without one.
    'service.tags', 'service.canary_tags', 'service.provider', 'consul',
    // Read only with a check type that is refused (script, Connect-exposed), or the owner task deckhand probes anyway.
    'service.check.args', 'service.check.command', 'service.check.expose', 'service.check.task',
    // deckhand restarts exited tasks and replaces allocations whose checks fail, by its own rules.
    'service.check_restart', 'service.check.check_restart',
    // Sizes Nomad does not enforce, or reserves no longer.
    'ephemeral_disk.size', 'resources.disk', 'resources.network.mbits',
    // Fixed template content never changes under a running task; a pull never goes on without its credentials.
    'template.change_mode', 'config.auth_soft_fail',
  ],
  compose: ['version', 'services.*.expose', 'services.*.build'],
  kubernetes: ['spec.selector', 'spec.template.spec.serviceAccountName'],
};

/**
 * Warnings the corpus may give: none says a setting that changes what runs is dropped.
 * Deprecated forms that are read, variables left unset (the corpus renders without an
 * environment), a Service selecting nothing, port_map entries naming no port (they map
 * nothing in Nomad either), and Connect upstream variables beside a refused `connect`.
 */
const reviewedWarnings = /^(deprecated |unset-variable |service-selects-nothing |invalid-value config\.port_map\.|unsupported env\.)/;

function compare(path: string, actual: string): void {
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path) ? readFileSync(path, 'utf8') : `missing ${path}`).toBe(actual);
}

describe('real-world job files render to their reviewed goldens', () => {
  it('has the corpus the issue asks for, every file with its origin', () => {
    const origins = JSON.parse(readFileSync(join(corpus, 'ORIGINS.json'), 'utf8')) as Origin[];
    expect(origins.map((o) => o.file).sort()).toEqual([...files].sort());
    for (const origin of origins) {
      expect(origin.repository).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
      expect(origin.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(['Apache-2.0', 'MIT', 'MPL-2.0', 'CC0-1.0']).toContain(origin.licence);
      expect(existsSync(join(corpus, 'LICENSES', `${origin.licence}.txt`))).toBe(true);
    }
    const count = (format: string) => files.filter((f) => f.startsWith(`${format}/`)).length;
    expect(count('nomad')).toBeGreaterThanOrEqual(50);
    expect(count('compose')).toBeGreaterThanOrEqual(50);
    expect(count('kubernetes')).toBeGreaterThanOrEqual(40);
  });

  it.each(files)('%s', (file) => {
    const rendered = renderCorpusFile(file);
    // A file deckhand does not take for a job file (a StatefulSet alone) says so: format null.
    expect([file.split('/')[0], null]).toContain(rendered.format);
    compare(join(goldens, `${file}.json`), `${JSON.stringify({ format: rendered.format, valid: rendered.valid, diagnostics: rendered.diagnostics, acceptedWithoutEffect: rendered.acceptedWithoutEffect, jobs: rendered.jobs }, null, 2)}\n`);
  });

  it.each(formats)('%s: no setting is accepted without effect unless reviewed as changing nothing that runs (zero silent drops)', (format) => {
    const rendered = files.filter((f) => f.startsWith(`${format}/`)).map((file) => ({ file, ...renderCorpusFile(file) }));
    const unreviewed = rendered.flatMap((r) => r.noEffectFeatures.filter((f) => !reviewedNoEffect[format].includes(f)).map((f) => `${r.file}: ${f}`));
    expect(unreviewed).toEqual([]);
    const dropping = rendered.flatMap((r) => r.codes.filter((c) => c.startsWith('warning ') && !reviewedWarnings.test(c.slice(8))).map((c) => `${r.file}: ${c}`));
    expect(dropping).toEqual([]);
  });

  it('sums up as docs/compatibility.md says (fixtures/real/golden/summary.json)', () => {
    const summary = Object.fromEntries(
      formats.map((format) => {
        const rendered = files.filter((f) => f.startsWith(`${format}/`)).map(renderCorpusFile);
        const refusedBy: Record<string, number> = {};
        const warnedBy: Record<string, number> = {};
        const noEffectBy: Record<string, number> = {};
        for (const r of rendered) {
          for (const f of new Set(r.noEffectFeatures)) noEffectBy[f] = (noEffectBy[f] ?? 0) + 1;
          // Each file counts once per kind of error or warning it has.
          for (const code of new Set(r.codes.filter((c) => c.startsWith('error ')).map((c) => c.slice(6)))) refusedBy[code] = (refusedBy[code] ?? 0) + 1;
          for (const code of new Set(r.codes.filter((c) => c.startsWith('warning ')).map((c) => c.slice(8)))) warnedBy[code] = (warnedBy[code] ?? 0) + 1;
        }
        const sorted = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
        return [format, { files: rendered.length, notAJobFile: rendered.filter((r) => r.format === null).length, valid: rendered.filter((r) => r.valid).length, refused: rendered.filter((r) => !r.valid).length, refusedBy: sorted(refusedBy), warnedBy: sorted(warnedBy), acceptedWithoutEffectBy: sorted(noEffectBy) }];
      }),
    );
    compare(join(goldens, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  });
});
