// Job files beyond the scenario fixtures, using what those leave out: several
// groups and tasks, group and task services, restart blocks at both levels,
// several checks, heredocs, rollback_config, healthchecks, two containers,
// probes, explicit budgets. The properties run over these too.
import type { JobFile } from './fixtures.js';

const nomadShop = `# Two groups, two tasks in one, services at both levels.
job "shop" {
  datacenters = ["dc1"]
  meta {
    team = "web"
    note = <<-EOT
      several lines
        kept as written
      EOT
  }

  update {
    max_parallel = 2
    stagger      = "30s"
  }

  group "api" {
    count = 3

    restart {
      attempts = 5
      delay    = "20s"
    }

    service {
      name = "api"
      port = "http"
      check {
        name     = "ready"
        type     = "http"
        path     = "/health"
        method   = "HEAD"
        interval = "15s"
        timeout  = "3s"
        failures_before_critical = 3
      }
    }

    network {
      port "http" {}
      port "admin" {
        static = 9000
      }
    }

    task "server" {
      driver = "docker"
      config {
        image = "shop/api:1.2"
        args  = ["--port", "\${NOMAD_PORT_http}", "--admin", "\${NOMAD_PORT_admin}"]
        ports = ["http", "admin"]
      }
      env {
        MODE = "prod"
      }
      resources {
        cpu    = 200
        memory = 256
      }
      restart {
        attempts = 3
      }
    }

    task "proxy" {
      driver = "docker"
      config {
        image      = "shop/proxy:3"
        entrypoint = ["/bin/proxy"]
        command    = "serve"
      }
      resources {
        memory = 64
        cores  = 1
      }
      restart {
        attempts = 1
      }
      service {
        port = "admin"
        check {
          type     = "tcp"
          interval = "20s"
        }
        check {
          type     = "tcp"
          interval = "1m"
        }
      }
    }
  }

  group "worker" {
    count = 2
    update {
      canary           = 1
      auto_promote     = true
      auto_revert      = true
      min_healthy_time = "1m30s"
    }
    task "worker" {
      driver = "docker"
      config {
        image = "shop/worker:7"
      }
      meta {
        queue = "jobs"
      }
      env = {
        QUEUE   = "jobs"
        THREADS = 4
      }
    }
  }
}
`;

const nomadSingle = `job "single" {
  group "one" {
    task "only" {
      driver = "docker"
      config {
        image = "busybox:1"
        args  = ["sleep", "3600"]
      }
    }
  }
}
`;

const composeShop = `name: shop
services:
  web:
    image: shop/web:1
    command: ["npm", "start"]
    environment:
      - MODE=prod
      - EMPTY=
      - GREETING=hello world
    labels:
      team: web
      tier: "1"
    ports:
      - "8080:80"
      - "9090"
      - target: 7000
        published: "7001"
        name: metrics
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
      interval: 15s
      timeout: 5s
      retries: 2
      start_period: 1m
    deploy:
      replicas: 3
      update_config:
        parallelism: 2
        delay: 5s
        order: start-first
        failure_action: rollback
        monitor: 30s
        max_failure_ratio: 0.25
      rollback_config:
        parallelism: 1
        order: stop-first
      restart_policy:
        condition: on-failure
        max_attempts: 3
        delay: 10s
        window: 2m
      resources:
        limits:
          cpus: "0.5"
          memory: 256M
  worker:
    image: shop/worker:2
    entrypoint: /bin/worker
    restart: unless-stopped
    scale: 2
    environment:
      THREADS: 4
      DEBUG: false
    healthcheck:
      disable: true
`;

const kubernetesShop = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels:
    app: shop
    team: web
spec:
  replicas: 5
  minReadySeconds: 5
  progressDeadlineSeconds: 120
  revisionHistoryLimit: 3
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 0
      maxUnavailable: 1
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: web
          image: shop/web:1
          command: ["/bin/web"]
          args: ["--port", "$(PORT)"]
          env:
            - name: PORT
              value: "8080"
            - name: URL
              value: "http://localhost:$(PORT)/"
          ports:
            - name: http
              containerPort: 8080
            - containerPort: 9100
          resources:
            requests:
              cpu: 250m
              memory: 128Mi
            limits:
              cpu: "1"
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /ready
              port: http
            periodSeconds: 5
          livenessProbe:
            tcpSocket:
              port: 8080
            initialDelaySeconds: 10
            failureThreshold: 5
        - name: sidecar
          image: shop/sidecar:2
          livenessProbe:
            exec:
              command: ["cat", "/tmp/alive"]
`;

const kubernetesPercent = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: percent
spec:
  replicas: 10
  strategy:
    rollingUpdate:
      maxSurge: 30%
      maxUnavailable: 15%
  selector:
    matchLabels:
      app: percent
  template:
    metadata:
      labels:
        app: percent
    spec:
      containers:
        - name: app
          image: percent:1
`;

export const corpusFiles: readonly JobFile[] = [
  { path: 'corpus/shop.nomad', format: 'nomad', text: nomadShop },
  { path: 'corpus/single.nomad', format: 'nomad', text: nomadSingle },
  { path: 'corpus/docker-compose.yml', format: 'compose', text: composeShop },
  { path: 'corpus/shop-deployment.yaml', format: 'kubernetes', text: kubernetesShop },
  { path: 'corpus/percent-deployment.yaml', format: 'kubernetes', text: kubernetesPercent },
];
