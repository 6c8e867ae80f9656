import { kubernetesDefaults, kubernetesRestartDefaults } from '../../../src/render/defaults.js';
import { kubernetesRenderer } from '../../../src/render/kubernetes/index.js';
import { allLines, deployment, errors, lines, onlyDiagnostic, onlyGroup, onlyJob, render, renderObjects } from './helpers.js';

describe('a Deployment as a job', () => {
  test('is one job named by metadata.name, with one group of the same name', () => {
    const job = onlyJob(renderObjects(deployment({ metadata: { labels: { app: 'web', tier: 'front' } } })));
    expect(kubernetesRenderer.format).toBe('kubernetes');
    expect(job.id).toBe('web');
    expect(job.type).toBe('service');
    expect(job.source).toEqual({ format: 'kubernetes', file: 'app.yaml' });
    expect(job.meta).toEqual({ app: 'web', tier: 'front' });
    expect(job.groups).toHaveLength(1);
    expect(job.groups[0]!.name).toBe('web');
    expect(job.groups[0]!.meta).toEqual({});
    expect(job.groups[0]!.rollback).toBeNull();
  });

  test('spec.replicas is the count, 1 when absent', () => {
    expect(onlyGroup(renderObjects(deployment({ spec: { replicas: 7 } }))).count).toBe(7);
    expect(onlyGroup(renderObjects(deployment({ spec: { replicas: 0 } }))).count).toBe(0);
    expect(onlyGroup(renderObjects(deployment({ spec: { replicas: null } }))).count).toBe(kubernetesDefaults.replicas);
    const noReplicas = deployment();
    delete (noReplicas.spec as Record<string, unknown>).replicas;
    expect(onlyGroup(renderObjects(noReplicas)).count).toBe(1);
  });

  test('spec.revisionHistoryLimit is the history limit, 10 when absent', () => {
    expect(onlyJob(renderObjects(deployment())).historyLimit).toBe(10);
    expect(onlyJob(renderObjects(deployment({ spec: { revisionHistoryLimit: 3 } }))).historyLimit).toBe(3);
  });

  test('labels absent: meta is empty', () => {
    expect(onlyJob(renderObjects(deployment())).meta).toEqual({});
  });

  test('a label named __proto__ stays an ordinary label', () => {
    const job = onlyJob(render(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    __proto__: evil
spec:
  template:
    spec:
      containers: [{ name: web, image: demo }]
`));
    expect(Object.keys(job.meta)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(job.meta)).toBe(Object.prototype);
  });

  test('restart policy: the Kubernetes defaults, restartPolicy Always accepted', () => {
    expect(onlyGroup(renderObjects(deployment())).restart).toEqual(kubernetesRestartDefaults);
    expect(onlyGroup(renderObjects(deployment({ pod: { restartPolicy: 'Always' } }))).restart).toEqual(kubernetesRestartDefaults);
  });

  test('restartPolicy other than Always is an error', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: web, image: demo }]
`);
    expect(result.jobs).toEqual([]);
    expect(errors(result)).toEqual([
      'app.yaml:7:22: spec.template.spec.restartPolicy: expected "Always", the only restartPolicy a Deployment allows, got "Never"',
    ]);
  });

  test('containers are the tasks, in order', () => {
    const result = renderObjects(deployment({ pod: { containers: [{ name: 'app', image: 'a:1' }, { name: 'sidecar', image: 'b:2' }] } }));
    expect(onlyGroup(result).tasks.map((t) => [t.name, t.image])).toEqual([['app', 'a:1'], ['sidecar', 'b:2']]);
  });
});

describe('documents of a file', () => {
  test('several Deployments are several jobs; other kinds are skipped with a notice at their kind', () => {
    const result = render(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
data:
  a: b
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers: [{ name: web, image: "demo:v1" }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
data: { a: b }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: worker }
spec:
  template:
    spec:
      containers: [{ name: worker, image: "demo:v1" }]
`);
    expect(result.jobs.map((j) => j.job.id)).toEqual(['web', 'worker']);
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:2:1: notice: kind ServiceAccount is not deployed by deckhand; skipped',
      'app.yaml:17:1: notice: kind Ingress is not deployed by deckhand; skipped',
    ]);
    expect(result.diagnostics.every((d) => d.severity === 'notice' && d.code === 'skipped-kind')).toBe(true);
    // Positions in later documents count lines from the top of the file.
    expect(result.jobs[1]!.fields.get('id')).toEqual({ field: 'metadata.name', pos: { line: 22, col: 19 } });
  });

  test('empty documents and comment-only documents are ignored', () => {
    const result = render(`---
# nothing here
---
---
${'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: web, image: demo }] } } }'}
---
`);
    expect(result.diagnostics).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });

  test('an empty file has no jobs and no diagnostics', () => {
    expect(render('')).toEqual({ jobs: [], diagnostics: [], services: [], configSources: [], settings: [] });
  });

  test('a kind close to Deployment is an error with a hint: skipped, the typo would stop the Deployment it was', () => {
    const result = render('apiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: web }\n');
    const d = onlyDiagnostic(result);
    expect(d).toMatchObject({ severity: 'error', line: 2, col: 1, message: 'kind Deploymnet is not a kind deckhand knows', hint: 'did you mean "Deployment"?' });
  });

  test.each([
    ['apps/v1', 'StatefulSet', 'a StatefulSet\'s pods have stable names, start one by one and get a volume each', 'write it as a Deployment (strategy Recreate) mounting a persistentVolumeClaim'],
    ['apps/v1', 'DaemonSet', 'a DaemonSet runs a pod on each node of a cluster; deckhand has one Docker engine', 'write it as a Deployment with replicas: 1'],
    ['v1', 'Pod', 'a bare Pod is not restarted elsewhere nor rolled out', 'write it as a Deployment with replicas: 1'],
    ['batch/v1', 'Job', 'a Job runs to completion', 'run it from CI'],
  ])('a %s %s, which runs containers, is refused at its kind naming why and what to write instead; a file holding one is a job file', (apiVersion, kind, why, hint) => {
    const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: db }\nspec: {}\n`;
    expect(kubernetesRenderer.claimsText!(text)).toBe('maybe');
    expect(kubernetesRenderer.claimsDocuments!([{ apiVersion, kind }])).toBe(true);
    const d = onlyDiagnostic(render(text));
    expect(d).toMatchObject({ severity: 'error', code: 'unsupported', line: 2, col: 7, field: 'kind', message: expect.stringContaining(`${kind} is not supported: `) });
    expect(d.message).toContain(why);
    expect(d.hint).toContain(hint);
  });

  test('a document that is not a mapping is an error', () => {
    expect(errors(render('- a\n- b\n'))).toEqual(['app.yaml:1:1: expected a Kubernetes object (a map with apiVersion and kind), got a list']);
  });

  test('a document without kind is an error', () => {
    expect(errors(render('apiVersion: apps/v1\nmetadata: { name: web }\n'))).toEqual([
      'app.yaml:1:1: kind: expected a kind such as "Deployment", got nothing',
    ]);
  });

  test('a Deployment of another apiVersion is an error', () => {
    expect(errors(render('apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: { name: web }\n'))).toEqual([
      'app.yaml:1:13: apiVersion: expected "apps/v1" for a Deployment, got "extensions/v1beta1"',
    ]);
    expect(errors(render('kind: Deployment\nmetadata: { name: web }\n'))).toEqual([
      'app.yaml:1:1: apiVersion: expected "apps/v1" for a Deployment, got nothing',
    ]);
  });

  test('two Deployments of the same name in one file are an error', () => {
    const doc = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: web, image: demo }] } } }\n';
    const result = render(`${doc}---\n${doc}`);
    expect(result.jobs).toHaveLength(1);
    expect(errors(result)).toEqual([
      'app.yaml:8:19: metadata.name: Deployment "web" is defined more than once in this file (first at line 3)',
    ]);
  });
});

describe('metadata.name', () => {
  test('is required', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata:
  labels: { app: web }
spec:
  template:
    spec:
      containers: [{ name: web, image: demo }]
`);
    expect(result.jobs).toEqual([]);
    expect(errors(result)).toEqual(["app.yaml:4:3: metadata.name: a Deployment needs a name: it is the job's id"]);
    expect(result.diagnostics[0]!.code).toBe('missing-field');
  });

  test('generateName gets a hint', () => {
    const result = render('apiVersion: apps/v1\nkind: Deployment\nmetadata: { generateName: web- }\nspec: {}\n');
    expect(result.diagnostics.find((d) => d.field === 'metadata.name')?.hint).toMatch(/generateName is not supported/);
  });

  test('must be a DNS subdomain, as Kubernetes requires', () => {
    expect(errors(render('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: My_App }\nspec: { template: { spec: { containers: [{ name: web, image: demo }] } } }\n'))).toEqual([
      'app.yaml:3:19: metadata.name: expected a name of lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, got "My_App"',
    ]);
  });

  test('a number is an error', () => {
    expect(errors(render('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: 42 }\nspec: { template: { spec: { containers: [{ name: web, image: demo }] } } }\n'))).toEqual([
      'app.yaml:3:19: metadata.name: expected a string, got 42 (quote it: Kubernetes reads this field as text)',
    ]);
  });
});

describe('wrong values in the Deployment spec', () => {
  const withSpec = (specLines: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
${specLines}
  template:
    spec:
      containers: [{ name: web, image: demo }]
`;

  test.each([
    ['  replicas: many', 'app.yaml:6:13: spec.replicas: expected a whole number of at least 0, got "many"'],
    ['  replicas: -1', 'app.yaml:6:13: spec.replicas: expected a whole number of at least 0, got -1'],
    ['  replicas: 2.5', 'app.yaml:6:13: spec.replicas: expected a whole number of at least 0, got 2.5'],
    ['  replicas: "3"', 'app.yaml:6:13: spec.replicas: expected a whole number of at least 0, got "3" (remove the quotes: Kubernetes reads this field as a number)'],
    ['  replicas: 3000000000', 'app.yaml:6:13: spec.replicas: expected a whole number of at most 2147483647, got 3000000000'],
    ['  replicas: [3]', 'app.yaml:6:13: spec.replicas: expected a whole number of at least 0, got a list'],
    ['  revisionHistoryLimit: -2', 'app.yaml:6:25: spec.revisionHistoryLimit: expected a whole number of at least 0, got -2'],
    ['  minReadySeconds: true', 'app.yaml:6:20: spec.minReadySeconds: expected a whole number of at least 0, got true'],
  ])('%s', (specLine, expected) => {
    const result = render(withSpec(specLine));
    expect(result.jobs).toEqual([]);
    expect(errors(result)).toEqual([expected]);
  });

  test('spec that is not a mapping', () => {
    expect(errors(render('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: 3\n'))).toEqual([
      'app.yaml:4:7: spec.template.spec.containers: a Deployment needs at least one container',
      'app.yaml:4:7: spec: expected a map, got 3',
    ]);
  });

  test('no containers is an error', () => {
    expect(errors(render(withSpec('  replicas: 1').replace('[{ name: web, image: demo }]', '[]')))).toEqual([
      'app.yaml:9:19: spec.template.spec.containers: expected at least one container, got none',
    ]);
    expect(errors(render('apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  replicas: 1\n'))).toEqual([
      'app.yaml:5:3: spec.template.spec.containers: a Deployment needs at least one container',
    ]);
  });

  test('paused: true is refused: deckhand does not pause rollouts, and would roll out what the file holds back', () => {
    const result = render(withSpec('  paused: true'));
    expect(result.jobs).toHaveLength(0);
    expect(lines(result.diagnostics)).toEqual([
      'app.yaml:6:3: spec.paused: paused is not supported: deckhand rolls out every change it reads (remove paused, or keep the file out of the job folder until it may roll out)',
    ]);
  });
});

describe('unknown keys', () => {
  test('are errors at the key with a did-you-mean hint, at every level, as the API server\'s strict validation: nothing runs with a default instead', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  lables: { app: web }
spec:
  replica: 4
  strategy:
    typ: RollingUpdate
    rollingUpdate:
      maxSurg: 1
  template:
    metdata: {}
    spec:
      restartPolicey: Always
      containers:
        - name: web
          imag: demo
          image: demo
          ports:
            - containerPort: 80
              nam: http
          env:
            - name: A
              valu: b
          resources:
            limit: { cpu: 1 }
          readinessProbe:
            periodSecond: 3
            httpGet:
              prot: 80
              port: 80
`);
    expect(result.jobs).toHaveLength(0);
    expect(allLines(result)).toEqual([
      'app.yaml:5:3: metadata.lables: unknown field "lables": Kubernetes has no such field here (did you mean "labels"?)',
      'app.yaml:7:3: spec.replica: unknown field "replica": Kubernetes has no such field here (did you mean "replicas"?)',
      'app.yaml:9:5: spec.strategy.typ: unknown field "typ": Kubernetes has no such field here (did you mean "type"?)',
      'app.yaml:11:7: spec.strategy.rollingUpdate.maxSurg: unknown field "maxSurg": Kubernetes has no such field here (did you mean "maxSurge"?)',
      'app.yaml:13:5: spec.template.metdata: unknown field "metdata": Kubernetes has no such field here (did you mean "metadata"?)',
      'app.yaml:15:7: spec.template.spec.restartPolicey: unknown field "restartPolicey": Kubernetes has no such field here (did you mean "restartPolicy"?)',
      'app.yaml:18:11: spec.template.spec.containers[0].imag: unknown field "imag": Kubernetes has no such field here (did you mean "image"?)',
      'app.yaml:22:15: spec.template.spec.containers[0].ports[0].nam: unknown field "nam": Kubernetes has no such field here (did you mean "name"?)',
      'app.yaml:25:15: spec.template.spec.containers[0].env[0].valu: unknown field "valu": Kubernetes has no such field here (did you mean "value"?)',
      'app.yaml:27:13: spec.template.spec.containers[0].resources.limit: unknown field "limit": Kubernetes has no such field here (did you mean "limits"?)',
      'app.yaml:29:13: spec.template.spec.containers[0].readinessProbe.periodSecond: unknown field "periodSecond": Kubernetes has no such field here (did you mean "periodSeconds"?)',
      'app.yaml:31:15: spec.template.spec.containers[0].readinessProbe.httpGet.prot: unknown field "prot": Kubernetes has no such field here (did you mean "port"?)',
    ]);
    expect(result.diagnostics.every((d) => d.code === 'unknown-field')).toBe(true);
  });

  test('a key far from any field gets no hint', () => {
    const d = onlyDiagnostic(renderObjects(deployment({ spec: { colour: 'blue' } })));
    expect(d.field).toBe('spec.colour');
    expect(d.hint).toBeUndefined();
  });

  test('Kubernetes fields deckhand does not use are accepted silently', () => {
    const result = renderObjects({
      ...deployment({
        metadata: { namespace: 'prod', annotations: { a: 'b' }, uid: 'x', resourceVersion: '1' },
        spec: { paused: false, minReadySeconds: 0 },
        pod: {
          volumes: [{ name: 'data', emptyDir: {} }],
          nodeSelector: { disk: 'ssd' },
          affinity: {},
          tolerations: [],
          securityContext: { runAsUser: 1000 },
          serviceAccountName: 'web',
          terminationGracePeriodSeconds: 30,
          imagePullSecrets: [{ name: 'registry' }],
          dnsPolicy: 'ClusterFirst',
          hostNetwork: false,
          priorityClassName: 'high',
          topologySpreadConstraints: [],
        },
        container: {
          imagePullPolicy: 'IfNotPresent',
          securityContext: { readOnlyRootFilesystem: true },
          lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
          terminationMessagePolicy: 'FallbackToLogsOnError',
          stdin: false,
          tty: false,
          resources: { requests: { cpu: '100m', memory: '64Mi', 'ephemeral-storage': '1Gi', 'example.com/gpu': 1 } },
          ports: [{ containerPort: 80, protocol: 'TCP', hostIP: '0.0.0.0' }],
          readinessProbe: { httpGet: { port: 80, scheme: 'HTTP', host: 'localhost', httpHeaders: [] }, successThreshold: 2, terminationGracePeriodSeconds: 5 },
        },
      }),
      status: { replicas: 2 },
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });
});

describe('unsupported parts', () => {
  test('initContainers are prestart tasks after the containers; restartPolicy Always makes a sidecar', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: demo-migrate
        - name: proxy
          image: demo-proxy
          restartPolicy: Always
      containers: [{ name: web, image: demo }]
`);
    expect(lines(result.diagnostics)).toEqual([]);
    const tasks = onlyGroup(result).tasks;
    expect(tasks.map((t) => [t.name, t.lifecycle])).toEqual([
      ['web', undefined],
      ['migrate', { hook: 'prestart', sidecar: false }],
      ['proxy', { hook: 'prestart', sidecar: true }],
    ]);
  });

  test('an init container with another restartPolicy is an error at it', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      initContainers: [{ name: migrate, image: m, restartPolicy: OnFailure }]
      containers: [{ name: web, image: demo }]
`);
    expect(lines(result.diagnostics)).toEqual([expect.stringMatching(/^app\.yaml:7:\d+: .*initContainers\[0\]\.restartPolicy: expected "Always" \(a sidecar\)/)]);
  });
});

describe('field origins for the shared validation', () => {
  test('name every model path deckhand sets from the file', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web }
spec:
  replicas: 3
  revisionHistoryLimit: 5
  minReadySeconds: 2
  progressDeadlineSeconds: 60
  strategy:
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  template:
    spec:
      restartPolicy: Always
      containers:
        - name: web
          image: demo
          command: [httpd]
          args: [-f]
          env: [{ name: A, value: b }]
          ports:
            - { name: http, containerPort: 80, hostPort: 8080 }
          resources:
            limits: { cpu: 500m, memory: 64Mi }
          readinessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 2
            timeoutSeconds: 3
            failureThreshold: 4
            initialDelaySeconds: 5
`);
    onlyJob(result);
    const fields = Object.fromEntries([...result.jobs[0]!.fields].map(([k, o]) => [k, `${o.field} ${o.pos.line}:${o.pos.col}`]));
    const task = 'spec.template.spec.containers[0]';
    expect(fields).toEqual({
      id: 'metadata.name 4:9',
      meta: 'metadata.labels 5:11',
      historyLimit: 'spec.revisionHistoryLimit 8:25',
      'groups.0': 'spec 7:3',
      'groups.0.name': 'metadata.name 4:9',
      'groups.0.count': 'spec.replicas 7:13',
      'groups.0.restart': 'spec.template.spec.restartPolicy 15:22',
      // Kubernetes' default grace period, where the pod spec leaves it out.
      'groups.0.tasks.0.killTimeoutMs': 'spec.template.spec 15:7',
      'groups.0.update': 'spec.strategy 12:5',
      'groups.0.update.maxSurge': 'spec.strategy.rollingUpdate.maxSurge 12:32',
      'groups.0.update.maxUnavailable': 'spec.strategy.rollingUpdate.maxUnavailable 12:51',
      'groups.0.update.maxParallel': 'spec.strategy.rollingUpdate 12:20',
      'groups.0.update.order': 'spec.strategy.rollingUpdate 12:20',
      'groups.0.update.minHealthyTimeMs': 'spec.minReadySeconds 9:20',
      'groups.0.update.progressDeadlineMs': 'spec.progressDeadlineSeconds 10:28',
      'groups.0.tasks': 'spec.template.spec.containers 17:9',
      'groups.0.tasks.0': `${task} 17:11`,
      'groups.0.tasks.0.name': `${task}.name 17:17`,
      'groups.0.tasks.0.image': `${task}.image 18:18`,
      'groups.0.tasks.0.entrypoint': `${task}.command 19:20`,
      'groups.0.tasks.0.args': `${task}.args 20:17`,
      'groups.0.tasks.0.env': `${task}.env 21:16`,
      'groups.0.tasks.0.ports.0': `${task}.ports[0] 23:15`,
      'groups.0.tasks.0.ports.0.label': `${task}.ports[0].name 23:23`,
      'groups.0.tasks.0.ports.0.to': `${task}.ports[0].containerPort 23:44`,
      'groups.0.tasks.0.ports.0.static': `${task}.ports[0].hostPort 23:58`,
      'groups.0.tasks.0.resources.cpuLimit': `${task}.resources.limits.cpu 25:28`,
      'groups.0.tasks.0.resources.memoryMB': `${task}.resources.limits.memory 25:42`,
      'groups.0.tasks.0.checks.0': `${task}.readinessProbe 27:13`,
      'groups.0.tasks.0.checks.0.path': `${task}.readinessProbe.httpGet.path 27:30`,
      'groups.0.tasks.0.checks.0.port': `${task}.readinessProbe.httpGet.port 27:45`,
      'groups.0.tasks.0.checks.0.intervalMs': `${task}.readinessProbe.periodSeconds 28:28`,
      'groups.0.tasks.0.checks.0.timeoutMs': `${task}.readinessProbe.timeoutSeconds 29:29`,
      'groups.0.tasks.0.checks.0.retries': `${task}.readinessProbe.failureThreshold 30:31`,
      'groups.0.tasks.0.checks.0.startPeriodMs': `${task}.readinessProbe.initialDelaySeconds 31:34`,
    });
  });

  test('a duplicate container name is reported by the shared validation at the name', () => {
    const result = render(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: demo
        - name: web
          image: demo
`);
    expect(allLines(result)).toEqual(['app.yaml:10:17: spec.template.spec.containers[1].name: task "web" is defined more than once in group "web"']);
  });
});
