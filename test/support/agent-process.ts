// A real agent for tests: `bin/deckhand.js agent` in a child process on a free
// loopback port, with the test run's container label so clean-up finds its containers.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentClient } from '../../src/cli/client.js';
import { waitsForPromotion } from '../../src/cli/follow.js';
import type { DeploymentView } from '../../src/api/views.js';
import { testLabel } from '../runtime/support.js';

const bin = join(process.cwd(), 'bin', 'deckhand.js');

export interface AgentProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the agent logged (JSON lines). */
  log(): string;
  /** SIGTERM, then resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface AgentProcessOptions {
  runId: string;
  dataDir?: string;
  apiToken?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Another build's CLI, run as a program (its `#!` flags apply): benchmarks compare builds. */
  command?: string;
}

export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'deckhand-agent-'));
  const args = ['agent', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--labels', `${testLabel}=${options.runId}`, '--log-level', 'debug'];
  if (options.apiToken) {
    const tokenFile = join(dataDir, 'api-token');
    writeFileSync(tokenFile, `${options.apiToken}\n`, { mode: 0o600 });
    args.push('--api-token-file', tokenFile);
  }
  args.push(...(options.extraArgs ?? []));
  // The test's own DECKHAND_* variables must not leak into the agent's configuration.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DECKHAND_')));
  const [program, programArgs] = options.command ? [options.command, args] : [process.execPath, [bin, ...args]];
  const child = spawn(program, programArgs, { env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      const match = /deckhand agent listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (match) resolve(match[1]!);
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`the agent exited (${code}) before listening:\n${log}`)));
  });
  return {
    url,
    dataDir,
    child,
    log: () => log,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

export { webJob } from './web-job.js';

/** The CLI's client for an agent, with an IO that prints nothing. */
export function agentClient(url: string, token?: string): AgentClient {
  return new AgentClient({ env: { DECKHAND_ADDR: url, ...(token ? { DECKHAND_TOKEN: token } : {}) }, cwd: process.cwd(), isTTY: false, stdout: () => undefined, stderr: () => undefined });
}

/** Sends JSON to the agent; answers with the status and the parsed body. */
export async function api<T = unknown>(url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A bundle as `deckhand run` sends it, for one job file's text. */
export function bundleOf(text: string, path = 'web.nomad'): { path: string; rootName: string; files: Record<string, string> } {
  return { path, rootName: 'jobs', files: { [path]: text } };
}

/** Resolves when the deployment ends (or waits for promotion), from the agent's event stream: no polling. */
export async function deploymentEnd(url: string, deploymentId: string, timeoutMs = 90_000, token?: string): Promise<DeploymentView> {
  const client = agentClient(url, token);
  let finish!: (d: DeploymentView) => void;
  const done = new Promise<DeploymentView>((resolve) => (finish = resolve));
  const settled = (d: DeploymentView) => ['successful', 'failed', 'cancelled', 'paused'].includes(d.status) || waitsForPromotion(d);
  const stream = await client.events({ deployment: deploymentId }, (event) => {
    if (event.deployment && settled(event.deployment)) finish(event.deployment);
  });
  const now = await client.get<DeploymentView>(`/v1/deployment/${deploymentId}`);
  if (settled(now)) finish(now);
  const timer = setTimeout(() => finish({ ...now, status: 'running', description: `did not end within ${timeoutMs} ms` }), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
    stream.close();
  }
}
