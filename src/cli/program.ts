// The command line: commander parses, the commands do the work, exit codes as SPEC.md.
import { Command, CommanderError, Option } from 'commander';
import { planCommand } from './commands/plan.js';
import { renderCommand } from './commands/render.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import type { CliIO } from './io.js';
import { CliExit } from './io.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text');
}

/** Runs one command line and returns its exit code; never calls process.exit. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('deckhand')
    .description('GitOps agent: Nomad, Compose and Kubernetes jobs from Git, rolled out on the local Docker engine')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run deckhand --help for usage)');

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
      .action(async (paths: string[], opts) => {
        exitCode = await validateCommand(paths, opts, io);
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
      .action(async (file: string, opts) => {
        exitCode = await renderCommand(file, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('plan')
      .description('show what submitting job files would change (exit 0: no changes, 1: changes, 255: error)')
      .argument('[paths...]', 'job files or folders', [])
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
      .option('--data-dir <dir>', 'where deckhand keeps its state (default: $DECKHAND_DATA_DIR or ./.deckhand)')
      .option('--verbose', 'show unchanged fields too')
      .option('--var <name=value>', 'set a Nomad variable (repeatable)', collect, [])
      .option('--var-file <file>', 'read Nomad variables from a file (repeatable)', collect, [])
      .action(async (paths: string[], opts) => {
        exitCode = await planCommand(paths, opts, io);
      }),
  );

  withJsonAlias(
    program
      .command('run')
      .description('submit a job')
      .argument('<file>', 'a job file')
      .addOption(outputOption())
      .option('--check-index <index>', 'submit only if the job\'s modify index is still this (0: the job must not exist)')
      .option('--data-dir <dir>', 'where deckhand keeps its state (default: $DECKHAND_DATA_DIR or ./.deckhand)')
      .option('--var <name=value>', 'set a Nomad variable (repeatable)', collect, [])
      .option('--var-file <file>', 'read Nomad variables from a file (repeatable)', collect, [])
      .action(async (file: string, opts) => {
        exitCode = await runCommand(file, opts, io);
      }),
  );

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
    io.stderr(`deckhand: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
