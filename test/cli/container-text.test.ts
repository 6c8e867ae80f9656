import { jobText } from '../../src/cli/job-text.js';
import { renderJob } from '../helpers/render.js';

describe('container settings in render\'s text', () => {
  it('one line a setting, under the task', () => {
    const job = renderJob(`job "web" {
  group "web" {
    task "server" {
      driver = "docker"
      user   = "1000"
      config {
        image       = "demo:v1"
        labels      = { team = "shop" }
        cap_add     = ["net_admin"]
        extra_hosts = ["db:10.0.0.5"]
        ulimit      = { nofile = "1024:2048" }
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
`);
    expect(jobText(job)).toContain([
      '    Container  user 1000',
      '               extra hosts db:10.0.0.5',
      '               cap add NET_ADMIN',
      '               ulimits nofile=1024:2048',
      '               logging json-file max-size=1m',
      '               label team = shop',
    ].join('\n'));
  });

  it('nothing for a task without settings', () => {
    expect(jobText(renderJob('job "web" {\n  group "web" {\n    task "server" {\n      driver = "docker"\n      config { image = "demo:v1" }\n    }\n  }\n}\n'))).not.toContain('Container');
  });
});
