// The Nomad decision table (schema.ts): every refused field is an error at its own
// name, wherever its block sits; no name is decided twice.
import { nomadSchema } from '../../../src/render/nomad/schema.js';
import { render } from '../../helpers/render.js';

/** A job with `line` placed inside the named block; the line it lands on. */
function jobWith(block: string, line: string): { text: string; at: number } {
  const inside: Record<string, string[]> = {
    job: ['job "web" {', '@', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    group: ['job "web" {', '  group "web" {', '@', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    task: ['job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '@', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    config: ['job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '@', '      }', '    }', '  }', '}'],
    resources: ['job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '      resources {', '@', '      }', '    }', '  }', '}'],
    service: ['job "web" {', '  group "web" {', '    network {', '      port "http" {}', '    }', '    service {', '      port = "http"', '@', '    }', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    check: ['job "web" {', '  group "web" {', '    network {', '      port "http" {}', '    }', '    service {', '      port = "http"', '      check {', '        type = "tcp"', '@', '      }', '    }', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
    variable: ['variable "v" {', '@', '}', 'job "web" {', '  group "web" {', '    task "server" {', '      driver = "docker"', '      config {', '        image = "demo:v1"', '      }', '    }', '  }', '}'],
  };
  const lines = inside[block]!;
  return { text: `${lines.map((l) => (l === '@' ? line : l)).join('\n')}\n`, at: lines.indexOf('@') + 1 };
}

const refusals = Object.entries(nomadSchema).flatMap(([block, schema]) => Object.keys(schema.refused ?? {}).map((field) => [block, field] as const));

describe('Nomad field decisions', () => {
  test('each field of a block is decided once', () => {
    for (const [block, schema] of Object.entries(nomadSchema)) {
      const names = [...schema.used, ...Object.keys(schema.accepted), ...Object.keys(schema.refused ?? {}), ...Object.keys(schema.deprecated ?? {}), ...Object.keys(schema.unsupported ?? {})];
      expect({ block, duplicates: names.filter((n, i) => names.indexOf(n) !== i) }).toEqual({ block, duplicates: [] });
    }
  });

  test('every block with refusals can be tested here', () => {
    expect(refusals.length).toBeGreaterThan(40);
  });

  test('false for a refused switch asks for nothing: accepted', () => {
    const { text } = jobWith('config', '        privileged = false\n        tty = false\n        interactive = false');
    const result = render(text.replace('      driver = "docker"', '      driver = "docker"\n      leader = false'));
    expect(result.lines).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });

  test.each([
    ['service', '      check_restart {\n        limit = 3\n        grace = "90s"\n      }'],
    ['check', '        check_restart {\n          limit = 3\n        }'],
    ['service', '      weights {\n        passing = 10\n        warning = 1\n      }'],
    ['task', '      action "dump" {\n        command = "/bin/dump"\n        args    = ["-v"]\n      }'],
  ])('valid Nomad that changes nothing here is accepted silently: %s %s', (block, body) => {
    const result = render(jobWith(block, body).text);
    expect(result.lines).toEqual([]);
    expect(result.jobs).toHaveLength(1);
  });

  test.each([
    ['task', 'secret "db" {\n        provider = "nomad"\n        path     = "db"\n      }', 'secret is not supported: deckhand fetches no secrets'],
    ['group', 'max_run_duration = "1h"', 'max_run_duration is not supported: deckhand does not stop an allocation after a set time'],
  ])('valid Nomad that would change what runs is refused with why: %s %s', (block, body, message) => {
    const result = render(jobWith(block, body).text);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', message: expect.stringContaining(message) }));
  });

  test.each(refusals)('%s.%s is refused at its name as unsupported, and no job is made', (block, field) => {
    const { text, at } = jobWith(block, `${field} = true`);
    const result = render(text);
    expect(result.jobs).toEqual([]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: 'error', code: 'unsupported', line: at, message: expect.stringMatching(new RegExp(`^${field} is not supported: `)) }));
  });
});
