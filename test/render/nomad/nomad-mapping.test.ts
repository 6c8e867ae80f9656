import { nomadUpdateDefaults } from '../../../src/render/defaults.js';
import { render, renderJob } from '../../helpers/render.js';

const minimal = (groupBody = '', jobBody = '') => `job "web" {
${jobBody}
  group "web" {
${groupBody}
    task "server" {
      driver = "docker"
      config {
        image = "demo:v1"
      }
    }
  }
}
`;

describe('Nomad job mapping', () => {
  it('fills in Nomad defaults', () => {
    const job = renderJob(minimal());
    expect(job.id).toBe('web');
    expect(job.type).toBe('service');
    expect(job.source).toEqual({ format: 'nomad', file: 'job.nomad' });
    const group = job.groups[0]!;
    expect(group.count).toBe(1);
    expect(group.update).toEqual({ ...nomadUpdateDefaults });
    expect(group.update).toMatchObject({ maxParallel: 1, minHealthyTimeMs: 10_000, healthyDeadlineMs: 300_000, progressDeadlineMs: 600_000, healthCheck: 'checks' });
    expect(group.restart).toEqual({ condition: 'any', maxAttempts: 2, delayMs: 15_000, windowMs: 1_800_000 });
    expect(group.tasks[0]!.resources).toEqual({ cpu: 100, cpuLimit: null, memoryMB: 300 });
    expect(group.rollback).toBeNull();
  });

  it('merges the job-level update into each group, the group winning', () => {
    const job = renderJob(
      `job "web" {
  update {
    max_parallel = 3
    canary       = 1
    auto_revert  = true
  }
  group "a" {
    count = 4
    update {
      max_parallel = 2
    }
    task "t" {
      driver = "docker"
      config { image = "x" }
    }
  }
  group "b" {
    count = 2
    task "t" {
      driver = "docker"
      config { image = "x" }
    }
  }
}
`,
    );
    const [a, b] = job.groups;
    expect(a!.update).toMatchObject({ maxParallel: 2, canary: 1, autoRevert: true, failureAction: 'rollback' });
    expect(b!.update).toMatchObject({ maxParallel: 3, canary: 1, autoRevert: true });
    expect(job.groups.map((g) => g.name)).toEqual(['a', 'b']);
  });

  it('maps every update field, durations in Go syntax', () => {
    const job = renderJob(
      minimal(
        `    count = 10
    update {
      max_parallel      = 3
      health_check      = "task_states"
      min_healthy_time  = "5s"
      healthy_deadline  = "1m30s"
      progress_deadline = "20m"
      canary            = 2
      auto_promote      = true
    }`,
      ),
    );
    expect(job.groups[0]!.update).toMatchObject({
      maxParallel: 3,
      healthCheck: 'task_states',
      minHealthyTimeMs: 5000,
      healthyDeadlineMs: 90_000,
      progressDeadlineMs: 1_200_000,
      canary: 2,
      autoPromote: true,
      autoRevert: false,
      failureAction: 'pause',
    });
  });

  it('replaces unhealthy allocations while a progress deadline runs; without one the first fails the deployment', () => {
    expect(renderJob(minimal()).groups[0]!.update.onUnhealthy).toBe('replace');
    expect(renderJob(minimal('    update {\n      progress_deadline = 0\n    }')).groups[0]!.update.onUnhealthy).toBe('fail');
  });

  it('reads ports from group networks and from old-style task resources', () => {
    const job = renderJob(`job "web" {
  group "web" {
    network {
      port "http" {}
      port "admin" {
        static = 9000
        to     = 90
      }
    }
    task "server" {
      driver = "docker"
      config {
        image = "x"
        ports = ["http", "admin"]
      }
      resources {
        cpu    = 250
        memory = 64
        network {
          mbits = 10
          port "metrics" {}
        }
      }
    }
  }
}
`);
    const task = job.groups[0]!.tasks[0]!;
    expect(task.ports).toEqual([
      { label: 'http', static: null, to: null },
      { label: 'admin', static: null, to: 90 },
      { label: 'metrics', static: null, to: null },
    ]);
    expect(job.endpoints).toEqual([{ port: 9000, group: 'web', task: 'server', portLabel: 'admin', canaries: false }]);
    expect(task.resources).toEqual({ cpu: 250, cpuLimit: null, memoryMB: 64 });
  });

  it('maps config, env, meta and restart', () => {
    const job = renderJob(`job "web" {
  meta {
    team = "ops"
  }
  group "web" {
    restart {
      attempts = 5
      interval = "10m"
      delay    = "1s"
      mode     = "fail"
    }
    meta = { tier = "front", weight = 3 }
    task "server" {
      driver = "docker"
      config {
        image      = "x"
        command    = "/bin/server"
        args       = ["-port", "8080"]
        entrypoint = ["/init"]
      }
      env {
        PORT = 8080
        MODE = "prod"
      }
    }
  }
}
`);
    const group = job.groups[0]!;
    const task = group.tasks[0]!;
    expect(job.meta).toEqual({ team: 'ops' });
    expect(group.meta).toEqual({ tier: 'front', weight: '3' });
    expect(group.restart).toEqual({ condition: 'any', maxAttempts: 5, delayMs: 1000, windowMs: 600_000 });
    expect(task).toMatchObject({ command: '/bin/server', args: ['-port', '8080'], entrypoint: ['/init'], env: { PORT: '8080', MODE: 'prod' } });
  });

  it('maps restart attempts 0 to never, and mode delay to no limit', () => {
    const never = renderJob(minimal('    restart {\n      attempts = 0\n    }'));
    expect(never.groups[0]!.restart.condition).toBe('none');
    const forever = renderJob(minimal('    restart {\n      mode = "delay"\n    }'));
    expect(forever.groups[0]!.restart).toMatchObject({ condition: 'any', maxAttempts: 0 });
  });

  it('maps service checks, at task and group level', () => {
    const job = renderJob(`job "web" {
  group "web" {
    network {
      port "http" {}
    }
    service {
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "5s"
        timeout  = "1s"
      }
    }
    task "server" {
      driver = "docker"
      config { image = "x" }
      service {
        port = "http"
        check {
          name = "alive"
          type = "tcp"
          port = 8080
        }
      }
    }
  }
}
`);
    expect(job.groups[0]!.tasks[0]!.checks).toEqual([
      { type: 'tcp', port: 8080, name: 'alive', role: 'readiness', intervalMs: 10_000, timeoutMs: 2_000, retries: 1, startPeriodMs: 0 },
      { type: 'http', port: 'http', path: '/health', method: 'GET', name: null, role: 'readiness', intervalMs: 5_000, timeoutMs: 1_000, retries: 1, startPeriodMs: 0 },
    ]);
  });

  it('keeps runtime interpolations as written and turns $${x} into a literal ${x}', () => {
    const job = renderJob(`job "web" {
  group "web" {
    task "server" {
      driver = "docker"
      config {
        image = "x"
        args  = ["$\${NOT_A_VAR}", "\${attr.kernel.name}", "\${node.unique.name}-\${meta.rack}"]
      }
      env {
        PORT = "\${NOMAD_PORT_http}"
        ADDR = "\${NOMAD_IP_http}:\${NOMAD_PORT_http}"
        BARE = NOMAD_ALLOC_INDEX
        UP   = "\${upper(NOMAD_TASK_NAME)}"
      }
    }
  }
}
`);
    const task = job.groups[0]!.tasks[0]!;
    expect(task.args).toEqual(['${NOT_A_VAR}', '${attr.kernel.name}', '${node.unique.name}-${meta.rack}']);
    expect(task.env).toEqual({
      PORT: '${NOMAD_PORT_http}',
      ADDR: '${NOMAD_IP_http}:${NOMAD_PORT_http}',
      BARE: '${NOMAD_ALLOC_INDEX}',
      UP: '${upper(NOMAD_TASK_NAME)}',
    });
  });

  it('accepts durations as nanosecond numbers, and numbers written as strings', () => {
    const job = renderJob(minimal('    count = "3"\n    update {\n      min_healthy_time = 2000000000\n      max_parallel = "2"\n    }'));
    expect(job.groups[0]).toMatchObject({ count: 3, update: { minHealthyTimeMs: 2000, maxParallel: 2 } });
  });
});

describe('Nomad variables and locals', () => {
  const withVars = `variable "tag" {
  type    = string
  default = "v1"
}
variable "replicas" {
  type    = number
  default = 2
}
variable "labels" {
  type    = list(string)
  default = []
}
locals {
  image = "demo:\${var.tag}"
  name  = upper(local.base)
  base  = "svc"
}
job "web" {
  meta {
    name   = local.name
    labels = join(",", var.labels)
  }
  group "web" {
    count = var.replicas
    task "server" {
      driver = "docker"
      config {
        image = local.image
      }
    }
  }
}
`;

  it('evaluates defaults and locals, in any order', () => {
    const job = renderJob(withVars);
    expect(job.groups[0]!.count).toBe(2);
    expect(job.groups[0]!.tasks[0]!.image).toBe('demo:v1');
    expect(job.meta).toEqual({ name: 'SVC', labels: '' });
  });

  it('takes --var, then --var-file over NOMAD_VAR_, converting to the declared type', () => {
    const job = renderJob(withVars, {
      options: {
        env: { NOMAD_VAR_tag: 'from-env', NOMAD_VAR_replicas: '7' },
        varFiles: [{ path: 'prod.hcl', text: 'tag = "from-file"\nlabels = ["a", "b"]\n' }],
        vars: { replicas: '5' },
      },
    });
    expect(job.groups[0]!.count).toBe(5);
    expect(job.groups[0]!.tasks[0]!.image).toBe('demo:from-file');
    expect(job.meta.labels).toBe('a,b');
  });

  it('reads JSON variable files and list values given on the command line', () => {
    const job = renderJob(withVars, {
      options: { varFiles: [{ path: 'vars.json', text: '{"tag": "json"}' }], vars: { labels: '["x", "y"]' } },
    });
    expect(job.groups[0]!.tasks[0]!.image).toBe('demo:json');
    expect(job.meta.labels).toBe('x,y');
  });

  it('reports a variable without a value at its declaration', () => {
    const result = render('variable "tag" {}\njob "web" {}\n');
    expect(result.lines).toContain('job.nomad:1:10: variable.tag: variable "tag" has no value (give it a default, or set it with --var tag=... or NOMAD_VAR_tag)');
  });

  it('reports a --var value of the wrong type', () => {
    const result = render(withVars, { options: { vars: { replicas: 'many' } } });
    expect(result.lines).toContain('job.nomad:1:1: warning: --var replicas: variable "replicas": expected a number, got a string "many"');
  });

  it('warns about a --var that no variable declares', () => {
    const result = render(withVars, { options: { vars: { tga: 'v2' } } });
    expect(result.jobs).toHaveLength(1);
    expect(result.lines).toContain('job.nomad:1:1: warning: --var tga: no variable "tga" is declared in job.nomad');
  });

  it('reports an unknown variable and a self-referencing local where they are used', () => {
    const unknownVar = render(minimal('    count = var.replicas'));
    expect(unknownVar.lines).toContain('job.nomad:4:13: count: there is no variable "replicas" (declare it with variable "replicas" { })');
    const cycle = render(`locals {\n  a = local.a\n}\n${minimal('    count = local.a')}`);
    expect(cycle.lines.some((l) => l.includes('local "a" refers to itself'))).toBe(true);
  });

  it('keeps an unknown name for runtime, as jobspec2 does, where a value may be text', () => {
    const job = renderJob(`job "web" {
  group "web" {
    task "server" {
      driver = "docker"
      config {
        image = "demo:v1"
        args  = ["--server", "\${RTSERVER}", "\${upper(RTSERVER)}"]
      }
      env {
        TARGET = "http://\${RTSERVER}:80/\${NOMAD_ALLOC_INDEX}"
      }
    }
  }
}
`);
    const task = job.groups[0]!.tasks[0]!;
    expect(task.args).toEqual(['--server', '${RTSERVER}', '${upper(RTSERVER)}']);
    expect(task.env.TARGET).toBe('http://${RTSERVER}:80/${NOMAD_ALLOC_INDEX}');
  });

  it('warns that Consul Connect upstream variables are never set, once per name, at the value', () => {
    const result = render(minimal('', '').replace('image = "demo:v1"', 'image = "demo:v1"\n        args  = ["${NOMAD_UPSTREAM_ADDR_db}", "${NOMAD_UPSTREAM_ADDR_db}/x", "${NOMAD_UPSTREAM_IP_cache}"]'));
    expect(result.jobs).toHaveLength(1);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.args).toEqual(['${NOMAD_UPSTREAM_ADDR_db}', '${NOMAD_UPSTREAM_ADDR_db}/x', '${NOMAD_UPSTREAM_IP_cache}']);
    expect(result.lines).toEqual([
      'job.nomad:9:17: warning: config.args: NOMAD_UPSTREAM_ADDR_db is never set: deckhand runs no Consul Connect upstreams, so the task receives "${NOMAD_UPSTREAM_ADDR_db}" as written (reach the other job through its published port or deckhand\'s edge, and pass that address)',
      'job.nomad:9:17: warning: config.args: NOMAD_UPSTREAM_IP_cache is never set: deckhand runs no Consul Connect upstreams, so the task receives "${NOMAD_UPSTREAM_IP_cache}" as written (reach the other job through its published port or deckhand\'s edge, and pass that address)',
    ]);
  });

  it('warns about a misspelt var or local, which stays as written', () => {
    const result = render(`locals {\n  tag = "v1"\n}\n${minimal('').replace('image = "demo:v1"', 'image = "demo:${lcoal.tag}"\n        args  = ["${VAR}", "${attr.unique.hostname}"]')}`);
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.image).toBe('demo:${lcoal.tag}');
    expect(result.lines).toEqual(['job.nomad:11:17: warning: config.image: "lcoal" is no variable root: the reference is kept as written for runtime interpolation, as Nomad does (did you mean "local"?)']);
  });

  it('refuses an unknown name where a value must be literal: a variable\'s default, a --var-file', () => {
    const result = render(`variable "target" {\n  default = RTSERVER\n}\n${minimal()}`, {
      options: { varFiles: [{ path: 'prod.hcl', text: 'target = OTHER\n' }] },
    });
    expect(result.lines).toEqual(expect.arrayContaining([
      'job.nomad:2:13: variable.target.default: unknown variable "RTSERVER" (variables are read as var.<name>, locals as local.<name>)',
      'prod.hcl:1:10: target: unknown variable "OTHER"',
    ]));
  });

  it('says why an unknown name cannot be a number', () => {
    const result = render(minimal('    count = replicas'));
    expect(result.lines).toEqual([
      'job.nomad:4:13: count: expected a whole number, got "${replicas}" (a ${...} that is not var.<name> or local.<name> is kept as written for runtime interpolation; variables are read as var.<name>, locals as local.<name>)',
    ]);
  });
});
