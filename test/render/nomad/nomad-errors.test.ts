// Every validation rule and every kind of bad input, with the exact message and position.
import { render } from '../../helpers/render.js';

const job = (groupBody: string, taskBody = '      config {\n        image = "demo:v1"\n      }') => `job "web" {
  group "web" {
${groupBody}
    task "server" {
      driver = "docker"
${taskBody}
    }
  }
}
`;

function lines(text: string): string[] {
  return render(text).lines;
}

describe('Nomad validation rules', () => {
  it('count must not be negative', () => {
    expect(lines(job('    count = -1'))).toEqual(['job.nomad:3:13: count: must be a whole number of at least 0, got -1']);
  });

  it('canary must not exceed count', () => {
    expect(lines(job('    count = 2\n    update {\n      canary = 3\n    }'))).toEqual(['job.nomad:5:16: update.canary: must be between 0 and count (2), got 3']);
  });

  it('durations must parse', () => {
    expect(lines(job('    update {\n      min_healthy_time = "10 seconds"\n    }'))).toEqual([
      'job.nomad:4:26: update.min_healthy_time: expected a duration such as "30s" or "1m30s", got "10 seconds"',
    ]);
  });

  it('the healthy deadline must end before the progress deadline', () => {
    expect(lines(job('    update {\n      healthy_deadline  = "10m"\n      progress_deadline = "10m"\n    }'))).toEqual([
      'job.nomad:4:27: update.healthy_deadline: must be less than the progress deadline (10m), got 10m',
    ]);
  });

  it('a progress deadline of 0 turns the deadline off', () => {
    expect(render(job('    update {\n      healthy_deadline  = "10m"\n      progress_deadline = 0\n    }')).jobs).toHaveLength(1);
  });

  it('the minimum healthy time must be shorter than the healthy deadline', () => {
    expect(lines(job('    update {\n      min_healthy_time = "6m"\n    }'))).toEqual([
      'job.nomad:4:26: update.min_healthy_time: must be less than the healthy deadline (5m), got 6m',
    ]);
  });

  it('an image must be set', () => {
    expect(lines(job('', '      config {\n        command = "/bin/sh"\n      }'))).toEqual([
      'job.nomad:6:7: config.image: task "server" has no image (set the image to run)',
    ]);
  });

  it('a task needs a config block', () => {
    expect(lines(job('', ''))).toContain('job.nomad:4:5: config: task "server" has no config block (add config { image = "..." })');
  });

  it('ports named by checks must exist', () => {
    const text = job('    network {\n      port "http" {}\n    }\n    service {\n      port = "htp"\n      check {\n        type = "tcp"\n      }\n    }');
    expect(lines(text)).toEqual(['job.nomad:7:14: service.port: check uses port "htp", which is not defined (ports defined: "http")']);
  });

  it('ports named by the docker config must exist', () => {
    const text = job('    network {\n      port "http" {}\n    }', '      config {\n        image = "x"\n        ports = ["http", "grpc"]\n      }');
    expect(lines(text)).toEqual(['job.nomad:10:17: config.ports: port "grpc" is not defined in a network block (defined: "http")']);
  });

  it('a misspelt key is an error with its position and a guess, as Nomad\'s "Unsupported argument": nothing runs with the default instead', () => {
    const result = render(job('    cuont = 3\n    update {\n      max_paralel = 2\n    }'));
    expect(result.lines).toEqual([
      'job.nomad:3:5: cuont: unknown attribute "cuont": Nomad has no such argument in a group block (did you mean "count"?)',
      'job.nomad:5:7: update.max_paralel: unknown attribute "max_paralel": Nomad has no such argument in an update block (did you mean "max_parallel"?)',
    ]);
    expect(result.jobs).toHaveLength(0);
  });

  it('an unknown block is an error; one that would change what runs is refused', () => {
    const result = render(job('    updates {\n    }', '      config {\n        image = "x"\n        privileged = true\n      }'));
    expect(result.lines).toEqual([
      'job.nomad:3:5: updates: unknown block "updates": Nomad has no such block in a group block (did you mean "update"?)',
      'job.nomad:9:9: config.privileged: privileged is not supported: deckhand does not run privileged containers (remove privileged; grant single capabilities with cap_add)',
    ]);
    expect(result.jobs).toHaveLength(0);
  });

  it('fields that change nothing on one engine are accepted silently', () => {
    const text = `job "web" {\n  datacenters = ["dc1"]\n  region = "global"\n  priority = 70\n  constraint {\n    attribute = "\${attr.cpu.numcores}"\n    operator = ">="\n    value = "2"\n  }\n  group "web" {\n    ephemeral_disk {\n      size = 300\n    }\n    reschedule {\n      attempts = 1\n    }\n    task "server" {\n      driver = "docker"\n      logs {\n        max_files = 2\n      }\n      config {\n        image = "demo:v1"\n      }\n    }\n  }\n}\n`;
    const result = render(text);
    expect(result.lines).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });

  it('job types other than service are not supported', () => {
    expect(lines('job "batchy" {\n  type = "batch"\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config { image = "x" }\n    }\n  }\n}\n')).toEqual([
      'job.nomad:2:10: type: job type "batch" is not supported (deckhand runs type = "service" jobs)',
    ]);
  });

  it('check kinds other than http, tcp and grpc are not supported', () => {
    const text = job('    service {\n      check {\n        type    = "script"\n        command = "/bin/check"\n      }\n    }');
    expect(lines(text)).toEqual(['job.nomad:5:19: service.check.type: check type "script" is not supported (deckhand runs http, tcp and grpc checks)']);
  });

  it('a grpc check asks grpc_service of the port over plain HTTP/2; grpc_use_tls is refused', () => {
    const grpc = (extra: string) => job(`    network {\n      port "rpc" {}\n    }\n    service {\n      port = "rpc"\n      check {\n        type = "grpc"\n${extra}      }\n    }`);
    const rendered = render(grpc('        grpc_service = "shop.Cart"\n        interval = "5s"\n'));
    expect(rendered.lines).toEqual([]);
    expect(rendered.jobs[0]!.job.groups[0]!.tasks[0]!.checks).toEqual([
      { type: 'grpc', name: null, role: 'readiness', port: 'rpc', service: 'shop.Cart', intervalMs: 5_000, timeoutMs: expect.any(Number), retries: expect.any(Number), startPeriodMs: expect.any(Number) },
    ]);
    expect(render(grpc('')).jobs[0]!.job.groups[0]!.tasks[0]!.checks[0]).toMatchObject({ type: 'grpc', service: '' });
    expect(lines(grpc('        grpc_use_tls = true\n'))).toEqual([
      'job.nomad:10:24: service.check.grpc_use_tls: grpc checks over TLS are not supported (deckhand probes grpc checks over plain HTTP/2, as Kubernetes does: serve the health service without TLS on a port of its own, or use an http or tcp check)',
    ]);
  });

  it('an http check needs a path, a check needs a port', () => {
    const noPath = job('    network {\n      port "http" {}\n    }\n    service {\n      port = "http"\n      check {\n        type = "http"\n      }\n    }');
    expect(lines(noPath)).toEqual(['job.nomad:8:7: service.check.path: "path" is required here (an http check needs the path to request, e.g. path = "/health")']);
    const noPort = job('    service {\n      check {\n        type = "tcp"\n      }\n    }');
    expect(lines(noPort)).toEqual(['job.nomad:4:7: service.check.port: a tcp check needs a port (set port on the check or on its service)']);
  });

  it('drivers other than docker are not supported: one error at the driver, none for its config keys', () => {
    const text = 'job "web" {\n  group "g" {\n    task "t" {\n      driver = "exec"\n      config { command = "x" }\n    }\n  }\n}\n';
    expect(lines(text)).toEqual([
      'job.nomad:4:16: driver: driver "exec" is not supported: deckhand runs Docker containers only, so this task\'s config is not read (run the program from an image: driver = "docker" with config { image = "..." })',
    ]);
    const java = 'job "web" {\n  group "g" {\n    task "t" {\n      driver = "java"\n      config {\n        jar_path    = "local/app.jar"\n        jvm_options = ["-Xmx256m"]\n        class       = "Main"\n      }\n    }\n  }\n}\n';
    expect(lines(java)).toEqual([
      'job.nomad:4:16: driver: driver "java" is not supported: deckhand runs Docker containers only, so this task\'s config is not read (run the program from an image: driver = "docker" with config { image = "..." })',
    ]);
  });

  it('job and group names must fit in a container name', () => {
    expect(lines(job('').replace('job "web"', 'job "my web"'))).toEqual([
      'job.nomad:1:5: job: job id "my web" must start with a letter or digit and hold only letters, digits, "_", "." and "-" (it names the job\'s containers)',
    ]);
  });

  it('group and task names must be unique', () => {
    const text = 'job "web" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n      config { image = "x" }\n    }\n    task "t" {\n      driver = "docker"\n      config { image = "x" }\n    }\n  }\n}\n';
    expect(lines(text)).toEqual(['job.nomad:7:10: task: task "t" is defined more than once in group "g"']);
  });

  it('a file holds one job', () => {
    expect(lines(`${job('')}job "other" {\n}\n`)).toContain('job.nomad:12:1: job: a file holds one job; this is a second one (put each job in its own file)');
    expect(lines('variable "x" { default = 1 }\n')).toEqual(['job.nomad:1:1: job: no job block in this file (a Nomad job file holds job "name" { ... })']);
  });
});

describe('Nomad syntax errors', () => {
  it('carry the position of the problem', () => {
    expect(lines('job "web" {\n  group "g" {\n    count = \n  }\n}\n')).toEqual(['job.nomad:3:13: expected an expression, found a new line']);
    expect(lines('job "web" {\n  group "g" {\n')).toEqual(['job.nomad:2:13: this block is never closed: expected "}"']);
    expect(lines('job "web" {\n  a = "unterminated\n}\n')).toEqual([
      'job.nomad:2:7: a quoted string cannot span lines; close it with \'"\' or use a heredoc (<<EOT)',
    ]);
    expect(lines('job "web" {\n  count = 1\n  count = 2\n}\n')).toEqual([
      'job.nomad:3:3: attribute "count" is set more than once (first on line 2); each attribute may be set only once',
    ]);
  });

  it('survive deep nesting without exhausting the stack', () => {
    const deepBlocks = `${'a {\n'.repeat(5000)}${'}\n'.repeat(5000)}`;
    expect(lines(deepBlocks)[0]).toMatch(/blocks are nested more than 200 deep/);
    const deepExpr = `x = ${'['.repeat(10000)}${']'.repeat(10000)}\n`;
    expect(lines(deepExpr)[0]).toMatch(/expressions are nested more than 200 deep/);
  });
});

describe('Nomad rules beyond the shared ones', () => {
  it('auto_promote needs canaries, and the healthy deadline cannot be 0', () => {
    expect(lines(job('    update {\n      auto_promote = true\n    }'))).toEqual(['job.nomad:4:22: update.auto_promote: auto_promote needs canary greater than 0 (without canaries there is nothing to promote)']);
    expect(lines(job('    update {\n      healthy_deadline = 0\n    }'))).toEqual(['job.nomad:4:26: update.healthy_deadline: healthy_deadline must be greater than 0']);
  });

  it('cores and cpu are exclusive; cores replaces the MHz reservation', () => {
    const both = job('', '      config {\n        image = "x"\n      }\n      resources {\n        cores = 2\n        cpu   = 500\n      }');
    expect(lines(both)).toEqual(['job.nomad:10:17: resources.cores: cores and cpu cannot both be set (Nomad reserves whole cores or MHz, not both)']);
    const cores = render(job('', '      config {\n        image = "x"\n      }\n      resources {\n        cores = 2\n      }'));
    expect(cores.jobs[0]!.job.groups[0]!.tasks[0]!.resources).toEqual({ cpu: null, cpuLimit: 2, memoryMB: 300 });
  });

  it('https checks are refused, and so are settings deckhand does not apply', () => {
    const https = job('    network {\n      port "http" {}\n    }\n    service {\n      port = "http"\n      check {\n        type     = "http"\n        path     = "/"\n        protocol = "https"\n      }\n    }');
    expect(lines(https)).toEqual(['job.nomad:11:20: service.check.protocol: https checks are not supported (deckhand probes checks over plain http)']);
    const privileged = render(job('', '      config {\n        image   = "x"\n        privileged = true\n      }'));
    expect(privileged.lines).toEqual(['job.nomad:8:9: config.privileged: privileged is not supported: deckhand does not run privileged containers (remove privileged; grant single capabilities with cap_add)']);
  });

  it('the docker driver\'s healthchecks { disable = true } turns off the image HEALTHCHECK', () => {
    const result = render(job('', '      config {\n        image = "x"\n        healthchecks {\n          disable = true\n        }\n      }'));
    expect(result.jobs[0]!.job.groups[0]!.tasks[0]!.imageHealthcheck).toBe('disable');
  });
});

describe('evaluation limits', () => {
  it('refuses regular expressions that can take exponential time, and bad ones, at the call', () => {
    expect(lines(job('', '      config {\n        image = regex("^(a+)+$", "aaaa!")\n      }'))[0]).toBe(
      'job.nomad:7:17: config.image: a repeated group holding a repetition or alternatives (like (a+)+ or (a|aa)*) is not supported (it can take exponential time; write the pattern without it)',
    );
    expect(lines(job('', '      config {\n        image = regex_replace("a", "(", "b")\n      }'))[0]).toMatch(/^job.nomad:7:17: config.image: invalid regular expression: /);
    expect(render(job('', '      config {\n        image = regex("(?P<name>[a-z]+):", "demo:v1").name\n      }')).jobs[0]!.job.groups[0]!.tasks[0]!.image).toBe('demo');
  });

  it('stops loops that would never end in practice', () => {
    const text = job('', '      config {\n        image = length([for x in range(1000) : [for y in range(1000) : [for z in range(1000) : 1]]])\n      }');
    expect(lines(text)[0]).toMatch(/evaluating this file takes more than 1000000 steps/);
  });

  it('caps format() widths', () => {
    expect(lines(job('', '      config {\n        image = format("%999999999s", "x")\n      }'))[0]).toMatch(/format\(\) width is limited to 1000/);
  });
});
