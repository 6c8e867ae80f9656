// Issue 14, task settings: a Nomad job and a Kubernetes Deployment that set them run
// on the real engine, and `docker inspect` shows each one on the container.
import { demoBaseImage } from '../../src/demo/images.js';
import type { JobFormat } from '../../src/model/job.js';
import { renderJob } from '../helpers/render.js';
import { docker } from '../runtime/support.js';
import type { Harness } from './support.js';
import { cli, containersOf, useHarness } from './support.js';

const nomadJob = `job "settings-nomad" {
  group "web" {
    network {
      dns {
        servers  = ["198.18.0.53"]
        searches = ["corp.example"]
        options  = ["ndots:2"]
      }
    }
    task "server" {
      driver      = "docker"
      user        = "1000:1000"
      kill_signal = "SIGINT"
      config {
        image    = "${demoBaseImage}"
        command  = "sleep"
        args     = ["3600"]
        labels {
          team = "shop"
        }
        work_dir        = "/srv"
        hostname        = "web-\${NOMAD_ALLOC_INDEX}"
        extra_hosts     = ["db.internal:198.18.0.5"]
        cap_add         = ["net_admin"]
        cap_drop        = ["mknod"]
        readonly_rootfs = true
        sysctl          = { "net.core.somaxconn" = "1024" }
        ulimit {
          nofile = "1024:2048"
        }
        shm_size = 67108864
        init     = false
        logging {
          type = "json-file"
          config {
            max-size = "1m"
          }
        }
      }
    }
  }
}
`;

const kubernetesDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: settings-k8s }
spec:
  replicas: 1
  selector: { matchLabels: { app: settings } }
  template:
    metadata: { labels: { app: settings } }
    spec:
      hostname: web
      securityContext:
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 2000
        supplementalGroups: [3000]
        sysctls: [{ name: net.core.somaxconn, value: "1024" }]
      hostAliases: [{ ip: 198.18.0.5, hostnames: [db.internal] }]
      dnsConfig:
        nameservers: [198.18.0.53]
        searches: [corp.example]
        options: [{ name: ndots, value: "2" }]
      containers:
        - name: server
          image: ${demoBaseImage}
          command: [sleep, "3600"]
          workingDir: /srv
          lifecycle: { stopSignal: SIGINT }
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: { add: [NET_ADMIN], drop: [MKNOD] }
`;

describe('container settings from Nomad and Kubernetes on the engine', () => {
  const harness = useHarness();
  let h: Harness;
  beforeAll(() => {
    h = harness();
  });

  /** Runs the file's job and inspects its one container. */
  async function runAndInspect(text: string, format: JobFormat, path: string) {
    const job = renderJob(text, { format, path });
    job.groups[0]!.update = { ...job.groups[0]!.update, minHealthyTimeMs: 0 };
    const submitted = h.engine.submit({ job, source: cli, sourceText: text });
    expect(await h.engine.waitForDeployment(submitted.deployment!.id, 60_000)).toMatchObject({ status: 'successful' });
    const containers = await containersOf(h.runId, job.id);
    expect(containers).toHaveLength(1);
    return docker.getContainer(containers[0]!.id).inspect();
  }

  /** The settings both files give, as Docker reports them. */
  const shared = {
    Config: { User: '1000:1000', WorkingDir: '/srv', StopSignal: 'SIGINT' },
    HostConfig: {
      ExtraHosts: ['db.internal:198.18.0.5'],
      Dns: ['198.18.0.53'],
      DnsSearch: ['corp.example'],
      DnsOptions: ['ndots:2'],
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      ReadonlyRootfs: true,
      Sysctls: { 'net.core.somaxconn': '1024' },
    },
  };

  it('a Nomad job: docker config, task user and kill_signal, the group network\'s dns', async () => {
    const inspected = await runAndInspect(nomadJob, 'nomad', 'settings.nomad');
    expect(inspected).toMatchObject(shared);
    expect(inspected.Config.Hostname).toBe('web-0');
    expect(inspected.Config.Labels).toMatchObject({ team: 'shop', 'deckhand.job': 'settings-nomad' });
    expect(inspected.HostConfig).toMatchObject({
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      ShmSize: 67108864,
      Init: false,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
  });

  it('a Kubernetes Deployment: pod and container security contexts (fsGroup and supplementalGroups as groups of the process), hostAliases, dnsConfig, hostname', async () => {
    const inspected = await runAndInspect(kubernetesDeployment, 'kubernetes', 'settings.yaml');
    expect(inspected).toMatchObject(shared);
    expect(inspected.Config.Hostname).toBe('web');
    expect(inspected.HostConfig).toMatchObject({ SecurityOpt: ['no-new-privileges:true'], Init: true, GroupAdd: ['2000', '3000'] });
  });
});
