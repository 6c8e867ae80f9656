// Differential test: our HCL parser against HashiCorp's (compiled to WebAssembly in
// @cdktn/hcl2json). Both must accept the same files and give the same structure.
import { parse as referenceParse } from '@cdktn/hcl2json';
import { parseHcl } from '../../src/hcl/index.js';
import { projectBody } from './projection.js';

const samples: Record<string, string> = {
  attributes: 'a = 1\nb = "two"\nc = true\nd = null\ne = 1.5\nf = 1e3\n',
  blocks: 'job "web" {\n  group "a" {\n    count = 2\n  }\n  group "b" {}\n}\n',
  nestedLabels: 'a "x" "y" {\n  b = 1\n}\na "x" "z" {\n  b = 2\n}\n',
  singleLine: 'check { type = "http" }\nempty {}\n',
  tuples: 'a = [1, 2, 3]\nb = [\n  "x",\n  "y",\n]\nc = []\n',
  objects: 'a = { x = 1, y = "z" }\nb = {\n  x = 1\n  "y-z" = 2\n  w: 3\n}\n',
  templates: 'a = "x${var.y}z"\nb = "$${literal}"\nc = "%%{literal}"\nd = "${1 + 2}"\n',
  escapes: 'a = "tab\\tnewline\\nquote\\"back\\\\slash"\nb = "\\u00e9"\n',
  expressions: 'a = var.x\nb = upper("x")\nc = a.b[0].c\nd = x ? 1 : 2\ne = !x\nf = -1\ng = (1 + 2) * 3\nh = x == y && z != w || v\n',
  functions: 'a = format("%s-%d", "x", 1)\nb = concat([1], [2])\nc = join(",", split(" ", "a b"))\nd = f(x...)\n',
  splat: 'a = x[*].y\nb = x.*.y\nc = x[*].y[0]\n',
  forExprs: 'a = [for v in x : v]\nb = [for i, v in x : v if v != ""]\nc = {for k, v in x : k => v}\nd = {for k, v in x : v => k...}\n',
  heredoc: 'a = <<EOT\nhello\n  world ${var.x}\nEOT\nb = <<-EOT\n    indented\n      more\n    EOT\n',
  comments: '# hash\n// slashes\n/* block\ncomment */\na = 1 # trailing\nb { # after brace\n  c = 2 // trailing\n}\n',
  identifiers: 'a-b = 1\n_c = 2\nd1 = x-y\n',
  directives: 'a = "%{ if x }yes%{ else }no%{ endif }"\nb = "%{ for v in xs }${v},%{ endfor }"\nc = "  ${~ x ~}  "\n',
  nomadJob: [
    'variable "count" {',
    '  type    = number',
    '  default = 3',
    '}',
    'locals { image = "demo:${var.count}" }',
    'job "update-demo-webapp" {',
    '  datacenters = ["dc1"]',
    '  update {',
    '    max_parallel = 3',
    '    min_healthy_time = "5s"',
    '  }',
    '  group "update-demo-webapp" {',
    '    count = var.count',
    '    task "server" {',
    '      env {',
    '        PORT    = "${NOMAD_PORT_http}"',
    '        NODE_IP = "${NOMAD_IP_http}"',
    '      }',
    '      driver = "docker"',
    '      config {',
    '        image = local.image',
    '      }',
    '      resources {',
    '        cpu = 100',
    '        memory = 32',
    '        network {',
    '          mbits = 10',
    '          port "http" {}',
    '        }',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n'),
};

const invalid: Record<string, string> = {
  missingValue: 'a = \n',
  unclosedBlock: 'a {\n  b = 1\n',
  unclosedString: 'a = "abc\n',
  redefined: 'a = 1\na = 2\n',
  twoAttributesOneLine: 'a { b = 1 c = 2 }\n',
  strayBrace: 'a = 1\n}\n',
  badEscape: 'a = "\\q"\n',
  interpolatedLabel: 'a "${x}" {\n}\n',
  binaryAcrossLines: 'a = 1 +\n  2\n',
  unclosedHeredoc: 'a = <<EOT\nnever closed\n',
  missingEquals: 'a 1\n',
};

async function reference(text: string): Promise<unknown> {
  return referenceParse('sample.hcl', text);
}

describe('HCL parser against the reference parser', () => {
  for (const [name, text] of Object.entries(samples)) {
    it(`gives the same structure: ${name}`, async () => {
      const ours = projectBody(parseHcl(text), text);
      expect(ours).toEqual(await reference(text));
    });
  }
  for (const [name, text] of Object.entries(invalid)) {
    it(`rejects what the reference rejects: ${name}`, async () => {
      await expect(reference(text)).rejects.toThrow();
      expect(() => parseHcl(text)).toThrow();
    });
  }
});
