// Generates realistic job files of the three formats for the render benchmark.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GenerateOptions {
  /** Every job asks for no allocations: for the agent benchmarks that must not start containers. */
  idle?: boolean;
}

function nomadJob(i: number, idle: boolean): string {
  return `# generated job ${i}
variable "image_tag" {
  type    = string
  default = "v${i % 7}"
}

variable "replicas" {
  type    = number
  default = ${idle ? 0 : 1 + (i % 5)}
}

locals {
  name = format("svc-%03d", ${i})
}

job "nomad-${i}" {
  datacenters = ["dc1"]
  meta {
    owner = "team-${i % 9}"
  }

  update {
    max_parallel     = 2
    min_healthy_time = "5s"
    healthy_deadline = "2m"
    auto_revert      = true
  }

  group "web" {
    count = var.replicas

    network {
      port "http" {}
      port "metrics" {}
    }

    service {
      name = local.name
      port = "http"
      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "server" {
      driver = "docker"
      config {
        image = "registry.local/app:\${var.image_tag}"
        args  = ["--port", "\${NOMAD_PORT_http}", "--name", upper(local.name)]
        ports = ["http", "metrics"]
      }
      env {
        PORT     = "\${NOMAD_PORT_http}"
        METRICS  = "\${NOMAD_PORT_metrics}"
        LOGLEVEL = "info"
      }
      resources {
        cpu    = 200
        memory = 128
      }
    }
  }
}
`;
}

function composeFile(i: number, idle: boolean): string {
  return `name: compose-${i}
x-common: &common
  restart: always
  deploy:
    replicas: ${idle ? 0 : 1 + (i % 4)}
    update_config:
      parallelism: 2
      delay: 5s
      failure_action: rollback
      monitor: 10s
      order: start-first
    resources:
      limits:
        cpus: "0.5"
        memory: 64M
services:
  web:
    <<: *common
    image: registry.local/web:\${TAG:-v${i % 5}}
    command: ["httpd", "-f", "-p", "8080"]
    environment:
      PORT: "8080"
      MODE: production
    ports:
      - "8080"
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"]
      interval: 5s
      timeout: 2s
      retries: 3
  worker:
    <<: *common
    image: registry.local/worker:v${i % 3}
    environment:
      - QUEUE=jobs
      - CONCURRENCY=4
`;
}

function deployment(i: number, idle: boolean): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: k8s-${i}
  labels:
    app: k8s-${i}
spec:
  replicas: ${idle ? 0 : 2 + (i % 4)}
  revisionHistoryLimit: 5
  minReadySeconds: 5
  progressDeadlineSeconds: 300
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      app: k8s-${i}
  template:
    metadata:
      labels:
        app: k8s-${i}
    spec:
      containers:
        - name: app
          image: registry.local/app:v${i % 6}
          args: ["--port", "8080"]
          env:
            - name: PORT
              value: "8080"
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            periodSeconds: 5
          resources:
            limits:
              cpu: 500m
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: k8s-${i}
spec:
  selector:
    app: k8s-${i}
  ports:
    - port: 80
      targetPort: http
`;
}

/** Writes `count` job files, a third of each format, into `dir`. */
export function generateJobTree(dir: string, count: number, options: GenerateOptions = {}): void {
  const idle = options.idle ?? false;
  for (let i = 0; i < count; i++) {
    const kind = i % 3;
    const folder = join(dir, `team-${i % 10}`, kind === 1 ? `compose-${i}` : '');
    mkdirSync(folder, { recursive: true });
    if (kind === 0) writeFileSync(join(folder, `job-${i}.nomad`), nomadJob(i, idle));
    else if (kind === 1) writeFileSync(join(folder, 'compose.yaml'), composeFile(i, idle));
    else writeFileSync(join(folder, `deploy-${i}.yaml`), deployment(i, idle));
  }
}
