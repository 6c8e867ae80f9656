// The reformatters really rewrite: each rewrite, on its own, changes the text the
// way it says (so the properties cannot pass by printing the file back as it was),
// and the Nomad printer writes HCL that HashiCorp's own parser accepts (so they
// cannot pass by leaning on deckhand's parser being lenient).
import { parse as referenceParse } from '@cdktn/hcl2json';
import { parseAllDocuments } from 'yaml';
import type { Choices } from './choices.js';
import { seededChoices } from './choices.js';
import type { ComposeReformatOptions } from './compose-reformat.js';
import { reformatCompose } from './compose-reformat.js';
import { corpusFiles } from './corpus.js';
import { durationSpellings, goDurationNanos } from './durations.js';
import type { JobFile } from './fixtures.js';
import { jobFiles } from './fixtures.js';
import type { KubernetesReformatOptions } from './kubernetes-reformat.js';
import { allKubernetesRewrites, reformatKubernetes } from './kubernetes-reformat.js';
import type { NomadReformatOptions } from './nomad-reformat.js';
import { allNomadRewrites, nomadFreeOrder, reformatNomad } from './nomad-reformat.js';
import { composeBytes, composeSizeSpellings, kubernetesQuantity, kubernetesQuantitySpellings } from './quantities.js';
import { reformat } from './reformat.js';

const seeds = Array.from({ length: 24 }, (_, i) => i + 1);
const file = (path: string): JobFile => [...jobFiles, ...corpusFiles].find((f) => f.path === path)!;

/** The outputs over many seeds. */
function outputs(rewrite: (choices: Choices) => string): string[] {
  return seeds.map((seed) => rewrite(seededChoices(seed)));
}

const yamlValue = (text: string) => parseAllDocuments(text, { merge: true }).map((d) => d.toJS({ maxAliasCount: 100 }));
const sortedLines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean).sort().join('\n');
const count = (text: string, pattern: RegExp) => (text.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? []).length;

describe('every reformatter', () => {
  it.each([...jobFiles, ...corpusFiles].map((f) => f.path))('rewrites %s (and reads its choices)', (path) => {
    const job = file(path);
    for (const seed of [1, 2, 3]) {
      const choices = seededChoices(seed);
      expect(reformat(job.format, job.text, choices)).not.toBe(job.text);
      expect(choices.used).toBeGreaterThan(20);
    }
  });
});

describe('the Nomad reformatter', () => {
  const none: NomadReformatOptions = {
    reorder: false, comments: false, layout: false, durations: false, scalars: false, defaults: false, mapStyle: false, placement: false, escapes: false, interpolationSpaces: false, freeOrder: nomadFreeOrder,
  };
  const geo = file('s4-nomad-auto-revert/v0/geo-api-server.nomad');
  const shop = file('corpus/shop.nomad');
  const only = (job: JobFile, option: Partial<NomadReformatOptions>) => outputs((c) => reformatNomad(job.text, c, { ...none, ...option }));
  const baseline = (job: JobFile) => reformatNomad(job.text, seededChoices(1), none);

  it('prints the same text whatever the choices when no rewrite is on', () => {
    expect(new Set(only(geo, {})).size).toBe(1);
  });

  it('reorders attributes and blocks, and nothing else', () => {
    const out = only(geo, { reorder: true });
    expect(out.some((t) => t !== baseline(geo))).toBe(true);
    for (const t of out) expect(sortedLines(t)).toBe(sortedLines(baseline(geo)));
  });

  it('moves tasks only when their type is free to move', () => {
    const taskOrder = (t: string) => t.indexOf('task "server"') < t.indexOf('task "proxy"');
    expect(only(shop, { reorder: true }).some((t) => !taskOrder(t))).toBe(true);
    expect(only(shop, { reorder: true, freeOrder: nomadFreeOrder.filter((type) => type !== 'task') }).every(taskOrder)).toBe(true);
  });

  it('adds #, // and /* */ comments', () => {
    const out = only(geo, { comments: true }).join('\n');
    for (const marker of [/^\s*# /m, /^\s*\/\/ /m, /^\s*\/\* /m, /\S[ \t]+(#|\/\/)/, / \/\* .* \*\/ /]) expect(out).toMatch(marker);
  });

  it('changes indentation, spacing around "=", labels, single-line blocks and line ends', () => {
    const out = only(geo, { layout: true });
    expect(out.some((t) => t.includes('\t'))).toBe(true);
    expect(out.some((t) => /\w=\S/.test(t))).toBe(true);
    expect(out.some((t) => /group api-server/.test(t))).toBe(true);
    expect(out.some((t) => /\{ \w+ = .* \}/.test(t))).toBe(true);
    expect(out.some((t) => t.includes('\r\n'))).toBe(true);
  });

  it('writes durations another way', () => {
    const out = only(geo, { durations: true }).join('\n');
    expect(out).toMatch(/min_healthy_time = "(30000ms|0h30s|0\.5m|30000000000ns|29000ms1s|29s1000ms|30000000us|[^"]*)"/);
    expect(out).toMatch(/"30000ms"|"0\.5m"|"0h30s"/);
    expect(out).toMatch(/= \d{10,}\b/);
  });

  it('writes numbers as strings and other literals, and bools as strings', () => {
    const out = only(geo, { scalars: true }).join('\n');
    expect(out).toMatch(/count = "6"/);
    expect(out).toMatch(/count = (6\.0|6e0|60e-1|\(6\)|5 \+ 1)/);
    expect(out).toMatch(/auto_revert = "true"/);
    expect(out).toMatch(/\\u00/);
  });

  it('writes defaults out', () => {
    const out = only(file('s1-nomad-rolling/v1/update-demo-webapp.nomad'), { defaults: true }).join('\n');
    for (const written of [/max_parallel = 1/, /min_healthy_time = "10s"/, /healthy_deadline = "5m"/, /progress_deadline = "10m"/, /health_check = "checks"/, /auto_revert = false/, /canary = 0/, /restart \{/, /attempts = 2/, /interval = "30m"/, /delay = "15s"/, /mode = "fail"/, /type = "service"/]) {
      expect(out).toMatch(written);
    }
    expect(only(file('corpus/single.nomad'), { defaults: true }).join('\n')).toMatch(/resources \{[^}]*cpu = 100/);
  });

  it('writes env and meta as blocks or as objects', () => {
    expect(only(geo, { mapStyle: true }).join('\n')).toMatch(/env = \{/);
    expect(only(shop, { mapStyle: true }).join('\n')).toMatch(/\benv \{\n\s*QUEUE/);
  });

  it('moves update, restart and network blocks where they mean the same', () => {
    const out = only(geo, { placement: true }).join('\n');
    expect(out).toMatch(/^ {2}update \{/m);
    expect(out).toMatch(/resources \{\n\s*network \{/);
    const s1 = only(file('s1-nomad-rolling/v3/update-demo-webapp.nomad'), { placement: true }).join('\n');
    expect(s1).toMatch(/^ {4}update \{/m);
    expect(s1).toMatch(/^ {4}network \{/m);
  });

  it('writes placement-time interpolations escaped, or with spaces inside', () => {
    const s1 = file('s1-nomad-rolling/v1/update-demo-webapp.nomad');
    expect(only(s1, { escapes: true }).join('\n')).toMatch(/PORT = "\$\$\{NOMAD_PORT_http\}"/);
    expect(only(s1, { interpolationSpaces: true }).join('\n')).toMatch(/"\$\{ NOMAD_IP_http \}"|"\$\{NOMAD_IP_http \}"/);
    expect(only(shop, { escapes: true }).join('\n')).toMatch(/"\$\$\{NOMAD_PORT_admin\}"/);
  });

  it('writes HCL that HashiCorp\'s parser accepts', async () => {
    const nomadFiles = [...jobFiles, ...corpusFiles].filter((f) => f.format === 'nomad');
    for (const job of nomadFiles) {
      for (const seed of seeds.slice(0, 3)) {
        const text = reformatNomad(job.text, seededChoices(seed), allNomadRewrites);
        await expect(referenceParse(job.path, text)).resolves.toBeDefined();
      }
    }
  });
});

describe('the Compose reformatter', () => {
  const none: ComposeReformatOptions = {
    reorder: false, comments: false, layout: false, anchors: false, environment: false, values: false, defaults: false, ports: false, extensions: false, commands: false, restart: false,
  };
  const s6 = file('s6-swarm-rollback/v1/docker-compose.yml');
  const shop = file('corpus/docker-compose.yml');
  const only = (job: JobFile, option: Partial<ComposeReformatOptions>) => outputs((c) => reformatCompose(job.text, c, { ...none, ...option }));
  const baseline = (job: JobFile) => reformatCompose(job.text, seededChoices(1), none);

  it('reorders keys without changing a value', () => {
    const out = only(s6, { reorder: true });
    expect(out.some((t) => t !== baseline(s6))).toBe(true);
    for (const t of out) expect(yamlValue(t)).toEqual(yamlValue(s6.text));
  });

  it('adds comments and blank lines', () => {
    const out = only(s6, { comments: true, layout: true });
    expect(out.some((t) => count(t, /#/) > count(baseline(s6), /#/))).toBe(true);
    expect(out.some((t) => /\n[ \t]*\n/.test(t))).toBe(true);
  });

  it('switches flow and block style and quoting, without changing a value', () => {
    const out = only(shop, { layout: true });
    expect(out.some((t) => /: \{ ?\w/.test(t))).toBe(true);
    expect(out.some((t) => /'[\w-]+':/.test(t))).toBe(true);
    for (const t of out) expect(yamlValue(t)).toEqual(yamlValue(shop.text));
  });

  it('uses anchors and aliases for repeated values', () => {
    const out = only(shop, { anchors: true });
    expect(out.some((t) => /&same\d/.test(t) && /\*same\d/.test(t))).toBe(true);
    for (const t of out) expect(yamlValue(t)).toEqual(yamlValue(shop.text));
  });

  it('moves a map to an x- field, used through an alias or a merge key', () => {
    const out = only(s6, { extensions: true }).join('\n');
    expect(out).toMatch(/x-phantom-shared: &shared/);
    expect(out).toMatch(/: \*shared/);
    expect(out).toMatch(/<<: \*shared/);
  });

  it('writes environment as a list or a map', () => {
    expect(only(s6, { environment: true }).join('\n')).toMatch(/- PORT=8000/);
    expect(only(shop, { environment: true }).join('\n')).toMatch(/MODE: prod/);
  });

  it('writes durations, numbers and sizes another way', () => {
    const out = only(shop, { values: true }).join('\n');
    expect(out).toMatch(/delay: (5000ms|0h5s|5000000us|4000ms1s|4s1000ms|5000000000ns)/);
    expect(out).toMatch(/replicas: ["']3["']/);
    expect(out).toMatch(/memory: (268435456|262144k|0\.25g|0\.25G|262144kb|262144KiB|256m|256mb|256MiB)\b/);
  });

  it('writes Swarm\'s defaults out', () => {
    const out = only(file('s7-swarm-parallel/v1/docker-compose.yml'), { defaults: true }).join('\n');
    for (const written of [/failure_action: pause/, /monitor: 5s/, /order: stop-first/, /max_failure_ratio: 0/, /rollback_config:/, /restart_policy:/, /condition: any/]) expect(out).toMatch(written);
    const bare: JobFile = { path: 'bare/docker-compose.yml', format: 'compose', text: 'services:\n  web:\n    image: nginx:1\n' };
    expect(only(bare, { defaults: true }).join('\n')).toMatch(/replicas: 1/);
  });

  it('writes commands as strings or lists, and healthcheck tests as strings or CMD-SHELL', () => {
    const out = only(shop, { commands: true }).join('\n');
    expect(out).toMatch(/command: npm start/);
    expect(out).toMatch(/entrypoint:\s+- \/bin\/worker/);
    const shell: JobFile = { path: 'shell/docker-compose.yml', format: 'compose', text: 'services:\n  web:\n    image: nginx:1\n    healthcheck:\n      test: curl -f http://localhost/\n' };
    expect(only(shell, { commands: true }).join('\n')).toMatch(/- CMD-SHELL\n\s+- curl -f http:\/\/localhost\//);
  });

  it('writes restart as deploy.restart_policy, and back', () => {
    const out = only(shop, { restart: true }).join('\n');
    expect(out).toMatch(/restart_policy:\n\s+condition: any/);
    const failing: JobFile = { path: 'r/docker-compose.yml', format: 'compose', text: 'services:\n  web:\n    image: nginx:1\n    deploy:\n      restart_policy:\n        condition: on-failure\n        max_attempts: 3\n' };
    expect(only(failing, { restart: true }).join('\n')).toMatch(/restart: on-failure:3/);
  });

  it('writes ports in long and short syntax', () => {
    expect(only(s6, { ports: true }).join('\n')).toMatch(/target: 8000/);
    expect(only(shop, { ports: true }).join('\n')).toMatch(/- ["']?7001:7000|published: ["']?8080/);
  });
});

describe('the Kubernetes reformatter', () => {
  const none: KubernetesReformatOptions = { reorder: false, comments: false, layout: false, anchors: false, defaults: false, budgets: false, probePorts: false, documents: false, quantities: false, discoverable: false };
  const v1 = file('s5-kubernetes/v1/deployment.yaml');
  const shop = file('corpus/shop-deployment.yaml');
  const only = (job: JobFile, option: Partial<KubernetesReformatOptions>) => outputs((c) => reformatKubernetes(job.text, c, { ...none, ...option }));

  it('reorders keys, comments, restyles and aliases without changing a value', () => {
    for (const option of ['reorder', 'comments', 'layout', 'anchors'] as const) {
      const out = only(v1, { [option]: true });
      expect(out.some((t) => t !== out[0]) || out[0] !== reformatKubernetes(v1.text, seededChoices(1), none)).toBe(true);
      for (const t of out) expect(yamlValue(t)).toEqual(yamlValue(v1.text));
    }
    expect(only(v1, { anchors: true }).some((t) => /&same\d kubernetes-bootcamp/.test(t))).toBe(true);
  });

  it('writes the API server\'s defaults out', () => {
    const out = only(v1, { defaults: true }).join('\n');
    for (const written of [/revisionHistoryLimit: 10/, /minReadySeconds: 0/, /type: RollingUpdate/, /maxSurge: 25%/, /maxUnavailable: 25%/, /restartPolicy: Always/, /timeoutSeconds: 1/, /failureThreshold: 3/, /protocol: TCP/, /imagePullPolicy: IfNotPresent/]) {
      expect(out).toMatch(written);
    }
  });

  it('writes maxSurge and maxUnavailable as pods or as a percentage of the same pods', () => {
    const out = only(v1, { budgets: true }).join('\n');
    expect(out).toMatch(/max(Surge|Unavailable): 1\n/);
    expect(out).toMatch(/maxSurge: ([1-9]|1\d|2[0-5])%/);
    expect(out).toMatch(/maxUnavailable: (2[5-9]|[34]\d)%/);
    expect(out).not.toMatch(/maxSurge: (2[6-9]|[3-9]\d)%|maxUnavailable: (1?\d|2[0-4]|[5-9]\d)%/);
  });

  it('writes a probe\'s port by number or by name', () => {
    expect(only(v1, { probePorts: true }).join('\n')).toMatch(/httpGet:\s+path: \/\s+port: 8080\n/);
    expect(only(shop, { probePorts: true }).join('\n')).toMatch(/tcpSocket:\s+port: http\n/);
  });

  it('puts the documents in another order', () => {
    expect(only(v1, { documents: true }).some((t) => t.indexOf('kind: Service') < t.indexOf('kind: Deployment'))).toBe(true);
  });

  it('writes quantities another way', () => {
    const out = only(shop, { quantities: true }).join('\n');
    expect(out).toMatch(/cpu: ["']?0\.25["']?\n/);
    expect(out).toMatch(/memory: (131072Ki|134217728|0\.125Gi|134\.217728M)/);
  });

  it('keeps kind and apiVersion lines plain when the file must stay discoverable', () => {
    const plain = (t: string) => /^kind: Deployment\r?$/m.test(t) && /^apiVersion: apps\/v1\r?$/m.test(t);
    expect(outputs((c) => reformatKubernetes(v1.text, c, { ...allKubernetesRewrites, discoverable: true })).every(plain)).toBe(true);
    expect(outputs((c) => reformatKubernetes(v1.text, c, allKubernetesRewrites)).some((t) => !plain(t))).toBe(true);
  });
});

describe('the spellings', () => {
  it('of a duration all mean it', () => {
    for (const text of ['10s', '1m', '5m', '90s', '0s', '1h30m']) {
      const nanos = goDurationNanos(text)!;
      const spellings = durationSpellings(nanos, { bareNanoseconds: true, bareZero: true });
      expect(spellings.length).toBeGreaterThan(3);
      for (const s of spellings) {
        if (s.kind === 'number') expect(BigInt(s.text)).toBe(nanos);
        else if (!/\./.test(s.text)) expect(goDurationNanos(s.text)).toBe(nanos);
      }
    }
    expect(durationSpellings(60_000_000_000n, { bareNanoseconds: false, bareZero: false }).map((s) => s.text)).toEqual(expect.arrayContaining(['60s', '60000ms', '1m', '0h1m']));
  });

  it('of a size and a quantity all mean it', () => {
    for (const s of composeSizeSpellings(268_435_456n)) expect(composeBytes(s)).toBe(268_435_456n);
    const quarter = kubernetesQuantity('250m')!;
    for (const s of kubernetesQuantitySpellings(quarter)) {
      const q = kubernetesQuantity(typeof s === 'string' ? s.replace(/e0$/, '') : s);
      if (q) expect(q.numerator * quarter.denominator).toBe(quarter.numerator * q.denominator);
    }
  });
});
