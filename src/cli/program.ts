// The command line: commander parses, the commands do the work, exit codes as docs/spec.md.
// Each command's module is loaded when it runs: `deckhand status` needs no agent,
// and the agent none of the other commands.
import { Command, CommanderError, Option } from 'commander';
import { forges } from '../status/forges/index.js';
import { notificationEvents, notifiers } from '../status/notify/index.js';
import { packageVersion } from '../util/index.js';
import type { CliIO } from './io.js';
import { CliExit } from './io.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
}

/** Nomad's single-dash long flags that users type from habit (`-check-index 1`), as deckhand spells them. */
const nomadStyleFlags = new Map([['-check-index', '--check-index'], ['-detach', '--detach'], ['-verbose', '--verbose'], ['-monitor', '--monitor']]);

const environmentHelp = `
Environment:
  DECKHAND_ADDR   the agent's address (default: http://127.0.0.1:4646); --addr wins
  DECKHAND_TOKEN  the API token, when the agent requires one; --token wins
  DECKHAND_DEBUG  set to 1 to print the stack of an unexpected error
`;

/** Runs one command line and returns its exit code; never calls process.exit. */
export async function runCli(rawArgv: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const argv = rawArgv.map((arg) => nomadStyleFlags.get(arg) ?? arg);
  const program = new Command('deckhand')
    .description('GitOps agent: Nomad, Compose and Kubernetes jobs from Git, rolled out on the local Docker engine')
    .version(packageVersion(), '-v, --version', 'print the version')
    .option('--addr <url>', "the agent's address, as DECKHAND_ADDR (default: http://127.0.0.1:4646)")
    .option('--token <token>', 'the API token, as DECKHAND_TOKEN')
    .addHelpText('after', environmentHelp)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run deckhand --help for usage)')
    // The flags stand in for the environment variables every command reads.
    .hook('preAction', () => {
      const { addr, token } = program.opts<{ addr?: string; token?: string }>();
      if (addr !== undefined) io.env = { ...io.env, DECKHAND_ADDR: addr };
      if (token !== undefined) io.env = { ...io.env, DECKHAND_TOKEN: token };
    });

  const withJsonAlias = (cmd: Command) =>
    cmd.option('--json', 'same as -o json').hook('preAction', (_this, action) => {
      if (action.opts().json) action.setOptionValue('output', 'json');
    });

  withJsonAlias(
    program
      .command('validate')
      .description('parse and validate job files (folders recursively)')
      .argument('[paths...]', 'job files or folders', [])
      .addOption(outputOption())
      .option('--var <name=value>', 'set a Nomad variable (repeatable)', collect, [])
      .option('--var-file <file>', 'read Nomad variables from a file (repeatable)', collect, [])
      .option('--allow-host-path <dir>', 'check bind mounts as an agent with this allow-host-path would (repeatable; default: none)', collect, [])
      .option('--runtime <runtime>', 'check as an agent with this --runtime would: docker (default) or swarm (refuses what a Swarm service cannot carry)')
      .option('--explain', 'list, per file, the settings carried out, those accepted without effect (and why) and those refused (-o json always holds them)')
      .action(async (paths: string[], opts) => {
        exitCode = await (await import('./commands/validate.js')).validateCommand(paths, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('render')
      .description('print the job deckhand reads from a file, with every default filled in')
      .argument('<file>', 'a job file')
      .addOption(outputOption())
      .option('--var <name=value>', 'set a Nomad variable (repeatable)', collect, [])
      .option('--var-file <file>', 'read Nomad variables from a file (repeatable)', collect, [])
      .option('--allow-host-path <dir>', 'check bind mounts as an agent with this allow-host-path would (repeatable; default: none)', collect, [])
      .option('--runtime <runtime>', 'check as an agent with this --runtime would: docker (default) or swarm (refuses what a Swarm service cannot carry)')
      .action(async (file: string, opts) => {
        exitCode = await (await import('./commands/render.js')).renderCommand(file, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('plan')
      .description('show what submitting job files would change (exit 0: no changes, 1: changes, 255: error)')
      .argument('[paths...]', 'job files or folders', [])
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
      .option('--data-dir <dir>', 'plan offline against a stopped agent\'s data directory instead of asking the agent')
      .option('--verbose', 'show unchanged fields too')
      .option('--var <name=value>', 'set a Nomad variable (repeatable)', collect, [])
      .option('--var-file <file>', 'read Nomad variables from a file (repeatable)', collect, [])
      .option('--allow-host-path <dir>', 'check bind mounts as an agent with this allow-host-path would (repeatable; default: none)', collect, [])
      .option('--runtime <runtime>', 'check as an agent with this --runtime would: docker (default) or swarm (refuses what a Swarm service cannot carry)')
      .action(async (paths: string[], opts) => {
        exitCode = await (await import('./commands/plan.js')).planCommand(paths, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('run')
      .description('submit a job to the agent and follow its deployment (exit 0: successful, 2: failed or reverted, 1: error)')
      .argument('<file>', 'a job file')
      .addOption(outputOption())
      .option('--check-index <index>', 'submit only if the job\'s modify index is still this (0: the job must not exist)')
      .option('--force', 'with an agent that self-heals: act on a job Git defines all the same (the next sync puts Git\'s version back)')
      .option('-d, --detach', 'return once the job is submitted, without following its deployment')
      .option('--var <name=value>', 'set a Nomad variable (repeatable)', collect, [])
      .option('--var-file <file>', 'read Nomad variables from a file (repeatable)', collect, [])
      .option('--allow-host-path <dir>', 'check bind mounts as an agent with this allow-host-path would (repeatable; default: none)', collect, [])
      .action(async (file: string, opts) => {
        exitCode = await (await import('./commands/run.js')).runCommand(file, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('status')
      .description('jobs, or one job: summary, latest deployment, allocations')
      .argument('[job]', 'a job id')
      .option('--monitor', 'follow the job\'s running deployment until it ends (exit codes as run)')
      .addOption(outputOption())
      .action(async (job: string | undefined, opts) => {
        exitCode = opts.monitor
          ? await (await import('./commands/deployment.js')).monitorJobCommand(job, opts, io)
          : await (await import('./commands/agent-commands.js')).statusCommand(job, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('history')
      .description('a job\'s versions, with their stable flags and sources')
      .argument('<job>', 'a job id')
      .option('-p', 'show the differences between each version and the one before')
      .addOption(outputOption())
      .action(async (job: string, opts) => {
        exitCode = await (await import('./commands/agent-commands.js')).historyCommand(job, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('deployments')
      .description('a job\'s deployments, newest first')
      .argument('<job>', 'a job id')
      .addOption(outputOption())
      .action(async (job: string, opts) => {
        exitCode = await (await import('./commands/agent-commands.js')).deploymentsCommand(job, opts, io);
      }),
  );

  const deployment = program.command('deployment').description('one deployment, by id or a prefix of it; a job\'s deployments');
  withJsonAlias(
    deployment
      .command('status')
      .description('show a deployment (exit 0); with --monitor, follow it until it ends, however it started (exit codes as run)')
      .argument('<id>', 'a deployment id, or a prefix only one deployment has')
      .option('--monitor', 'follow the deployment until it ends')
      .addOption(outputOption())
      .action(async (id: string, opts) => {
        exitCode = await (await import('./commands/deployment.js')).deploymentStatusCommand(id, opts, io);
      }),
  );
  withJsonAlias(
    deployment
      .command('list')
      .description('a job\'s deployments, newest first (as deckhand deployments)')
      .argument('<job>', 'a job id')
      .addOption(outputOption())
      .action(async (job: string, opts) => {
        exitCode = await (await import('./commands/agent-commands.js')).deploymentsCommand(job, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('events')
      .description('print the agent\'s events as they happen, until Ctrl-C (exit 0); reconnects when the agent restarts')
      .option('--job <job>', 'only this job\'s events')
      .addOption(outputOption())
      .action(async (opts) => {
        exitCode = await (await import('./commands/events.js')).eventsCommand(opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('promote')
      .description('promote the canaries of a job\'s running deployment, and follow it')
      .argument('<job>', 'a job id')
      .option('-d, --detach', 'return at once')
      .addOption(outputOption())
      .action(async (job: string, opts) => {
        exitCode = await (await import('./commands/agent-commands.js')).promoteCommand(job, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('revert')
      .description('roll a job back to an earlier version (a new version with that spec), and follow its deployment')
      .argument('<job>', 'a job id')
      .argument('<version>', 'the version to go back to (see deckhand history)')
      .option('-d, --detach', 'return at once')
      .option('--force', 'with an agent that self-heals: act on a job Git defines all the same (the next sync puts Git\'s version back)')
      .addOption(outputOption())
      .action(async (job: string, version: string, opts) => {
        exitCode = await (await import('./commands/agent-commands.js')).revertCommand(job, version, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('stop')
      .description('stop a job\'s allocations (its history stays unless --purge)')
      .argument('<job>', 'a job id')
      .option('--purge', 'forget the job and its history too')
      .option('--volumes', 'with --purge: also remove the named volumes deckhand made for the job (their data is lost; external volumes are never removed)')
      .option('--force', 'with an agent that self-heals: act on a job Git defines all the same (the next sync puts Git\'s version back)')
      .addOption(outputOption())
      .action(async (job: string, opts) => {
        exitCode = await (await import('./commands/agent-commands.js')).stopCommand(job, opts, io);
      }),
  );

  program
    .command('demo')
    .description('build the demo images, create an example repository, and run the agent on it')
    .option('--dir <dir>', 'where the example repository goes', 'deckhand-demo')
    .option('--listen <host:port>', 'where the API listens', '127.0.0.1:4646')
    .action(async (opts) => {
      exitCode = await (await import('./commands/demo.js')).demoCommand(opts, io);
    });

  program
    .command('edge')
    .description('serve the jobs\' stable endpoints (the agent starts it; it outlives the agent), until SIGTERM or SIGINT')
    .requiredOption('--data-dir <dir>', 'its folder: the control socket edge.sock, the saved table edge-table.json')
    .option('--log-level <level>', 'trace, debug, info, warn, error (default: info)')
    .action(async (opts) => {
      exitCode = await (await import('./commands/edge.js')).edgeCommand(opts, io);
    });

  const agent = program
    .command('agent')
    .description('run the agent: the GitOps loop and the HTTP API, until SIGTERM or SIGINT')
    .option('--config <file>', 'settings file (default: ./deckhand.yaml when it exists, or $DECKHAND_CONFIG)')
    .option('--repo <url|path>', 'the Git repository to follow: a URL, or a local repository\'s path')
    .option('--branch <name>', 'the branch to follow (default: main; for a local repository, its checked-out branch)')
    .option('--path <dir>', 'the job folder inside the repository (default: the whole repository)')
    .option('--interval <duration>', 'how often to poll the repository, 1s to 24h (default: 30s)')
    .option('--schedule <cron>', 'poll on a cron schedule instead of an interval')
    .option('--watch', 'watch a local repository for commits instead of polling')
    .option('--listen <host:port>', 'where the API listens (default: 127.0.0.1:4646)')
    .option('--data-dir <dir>', 'where the agent keeps its state (default: /var/lib/deckhand as root, else $XDG_STATE_HOME/deckhand or ~/.local/state/deckhand)')
    .option('--prune', 'stop jobs whose file was removed from the repository')
    .option('--allow-empty', 'accept a revision with no job files while jobs run (it stops them with --prune)')
    .option('--allow-force-push', 'accept a head that does not descend from the deployed commit')
    .option('--self-heal <true|false>', 'refuse a manual run, stop or revert of a job Git defines unless --force, and put Git\'s version back at the next sync (default: true)')
    .option('--webhook-secret-file <file>', 'the secret webhooks are signed with (GitHub: X-Hub-Signature-256)')
    .option('--git-token-file <file>', 'a token for fetching the repository over HTTPS')
    .option('--allow-insecure-http', 'send the Git or GitHub token over plain http:// to another machine (refused by default: anyone on the way can read it)')
    .option('--api-token-file <file>', 'require this bearer token on every API call (but the health check and webhooks)')
    .option('--public-url <url>', 'the agent\'s public address, for links in commit statuses')
    .option('--log-level <level>', 'trace, debug, info, warn, error (default: info)')
    .option('--port-range <from-to>', 'dynamic host ports (default: 20000-32000)')
    .option('--publish-address <ip>', "the address allocations' ports and endpoints are published on (default: 127.0.0.1)")
    .option('--runtime <runtime>', 'what runs allocations: docker (this machine\'s engine) or swarm (a Docker Swarm, through the manager DOCKER_HOST or the local socket names; default: docker)')
    .option('--pull <policy>', 'when images are pulled, for tasks whose file says nothing: missing, always (and roll out a tag pushed anew), never (default: missing)')
    .option('--labels <k=v,...>', 'labels added to every container; the agent then manages only containers carrying them (keys starting with "deckhand." are reserved)')
    .option('--max-count <n>', 'refuse jobs with more allocations per group (default: 1000)')
    .option('--max-groups <n>', 'refuse jobs with more groups (default: 200)')
    .option('--max-tasks <n>', 'refuse jobs with more tasks per group (default: 50)')
    .option('--allow-host-path <dir>', 'a host directory jobs may bind-mount (repeat for more; default: none, every bind mount is refused)', (dir: string, previous?: string[]) => [...(previous ?? []), dir])
    .option(
      '--notify <target>',
      `send notifications to a target (repeatable): "KIND url=URL|url-file=F|url-env=VAR [secret-file=F|secret-env=VAR] [events=E,...] [name=N]"; kinds: ${notifiers.map((n) => n.kind).join(', ')}; events: ${notificationEvents.join(', ')} (default: all)`,
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action(async (opts) => {
      exitCode = await (await import('./commands/agent.js')).agentCommand(opts, io);
    });
  // Each forge's own settings (status/forges).
  for (const setting of forges.flatMap((forge) => forge.settings)) {
    agent.option(`--${setting.name} <${setting.kind === 'boolean' ? 'true|false' : 'value'}>`, setting.help);
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CliExit) {
      if (error.message) io.stderr(`${error.message}\n`);
      return error.code;
    }
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 1;
    }
    // An error nobody foresaw: one line, the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    const stack = io.env.DECKHAND_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
    io.stderr(`deckhand: ${message}${stack}\n(this is a bug in deckhand if the message does not say what to do; DECKHAND_DEBUG=1 shows where it happened)\n`);
    return 1;
  }
}
