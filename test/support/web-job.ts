// One Nomad job text for tests and benchmarks: the demo image on a dynamic port,
// scaled down. `count` stays on line 3, where tests that break it look for the error.

export interface WebJobOptions {
  id?: string;
  image?: string;
  count?: number;
  maxParallel?: number;
  canary?: number;
  minHealthy?: string;
  healthyDeadline?: string;
  progressDeadline?: string;
  autoRevert?: boolean;
  /** The HTTP check deckhand runs; null: only the image's HEALTHCHECK. */
  check?: { interval: string; timeout: string } | null;
  /**
   * The demo image's HEALTHCHECK probes every second, fast for tests; with hundreds
   * of containers those probes alone saturate a small machine. False turns it off
   * (`healthchecks { disable = true }`), leaving deckhand's own check.
   */
  imageHealthcheck?: boolean;
  /** More environment variables for the task. */
  env?: Record<string, string>;
}

export function webJob(options: WebJobOptions = {}): string {
  const { id = 'web', image = 'deckhand-demo:v1', count = 2, maxParallel = 1, canary = 0, minHealthy = '1s', healthyDeadline = '20s', progressDeadline = '40s', autoRevert = true } = options;
  const check = options.check === undefined ? { interval: '1s', timeout: '1s' } : options.check;
  const service = check
    ? `
    service {
      name = "${id}"
      port = "http"

      check {
        type     = "http"
        path     = "/"
        interval = "${check.interval}"
        timeout  = "${check.timeout}"
      }
    }
`
    : '';
  return `job "${id}" {
  group "web" {
    count = ${count}

    update {
      max_parallel      = ${maxParallel}
      canary            = ${canary}
      min_healthy_time  = "${minHealthy}"
      healthy_deadline  = "${healthyDeadline}"
      progress_deadline = "${progressDeadline}"
      auto_revert       = ${autoRevert}
    }

    network {
      port "http" {}
    }
${service}
    task "server" {
      driver = "docker"

      config {
        image = "${image}"
        ports = ["http"]${options.imageHealthcheck === false ? '\n\n        healthchecks {\n          disable = true\n        }' : ''}
      }

      env {
        PORT = "\${NOMAD_PORT_http}"${Object.entries(options.env ?? {}).map(([name, value]) => `\n        ${name} = ${JSON.stringify(value)}`).join('')}
      }
    }
  }
}
`;
}
