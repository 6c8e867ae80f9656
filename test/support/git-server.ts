// A real smart-HTTP Git server for tests and benchmarks: `git http-backend` (CGI)
// behind node:http on 127.0.0.1, serving bare repositories from a temp folder.
// Optional basic auth (any user name, the token as password) and a switch that
// makes every request fail, for auth and fetch-failure tests. Repositories are
// written with the git CLI from scratch clones and pushed over the file system.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface GitServerOptions {
  /** When set, every request needs basic auth with this token as the password. */
  token?: string;
}

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`; a repository is `${baseUrl}/${name}.git`. */
  baseUrl: string;
  /** Folder holding the bare repositories. */
  root: string;
  createRepository(name: string, options?: { branch?: string }): Promise<TestRepository>;
  /** Every request is answered with this status (e.g. 500) until called again with null. */
  failWith(status: number | null): void;
  /** Requests served so far (method and path), to check what a client did. */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  close(): Promise<void>;
}

export interface TestRepository {
  name: string;
  url: string;
  bareDir: string;
  /** A scratch clone where commits are made. */
  workDir: string;
  /** Writes files (null deletes), commits everything, returns the new sha. Does not push. */
  commit(files: Record<string, string | null>, message: string, options?: { author?: string }): Promise<string>;
  push(options?: { branch?: string; force?: boolean }): Promise<void>;
  /** Commit and push in one step. */
  commitAndPush(files: Record<string, string | null>, message: string): Promise<string>;
  /** Runs git in the scratch clone; resolves with trimmed stdout. */
  git(...args: string[]): Promise<string>;
}

/** An environment that keeps the user's and system's git config out of the tests. */
export function isolatedGitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.com',
    // No background `gc --auto` after a big commit: it would race the clean-up (and the clock, in benchmarks).
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'gc.auto',
    GIT_CONFIG_VALUE_0: '0',
    GIT_CONFIG_KEY_1: 'maintenance.auto',
    GIT_CONFIG_VALUE_1: 'false',
  };
}

export async function runGit(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-git-server-'));
  const reposRoot = join(root, 'repos');
  const home = join(root, 'home');
  mkdirSync(reposRoot);
  mkdirSync(home);
  const env = isolatedGitEnv(home);
  const state = { failStatus: null as number | null };
  const requests: GitServer['requests'] = [];

  const server = createServer((request, response) => {
    const authorized = isAuthorized(request, options.token);
    requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', authorized });
    if (state.failStatus !== null) {
      request.resume();
      response.writeHead(state.failStatus, { 'content-type': 'text/plain' }).end('failing on purpose\n');
      return;
    }
    if (!authorized) {
      request.resume();
      response.writeHead(401, { 'www-authenticate': 'Basic realm="deckhand-test"', 'content-type': 'text/plain' }).end('authentication required\n');
      return;
    }
    serveWithHttpBackend(request, response, reposRoot, env);
  });
  // Clients (isomorphic-git, git) keep connections alive; close() must not wait for them.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    root: reposRoot,
    requests,
    failWith: (status) => {
      state.failStatus = status;
    },
    createRepository: (name, repoOptions) => createRepository({ name, baseUrl, reposRoot, scratchRoot: root, env, branch: repoOptions?.branch ?? 'main' }),
    close: () => closeServer(server, root),
  };
}

function isAuthorized(request: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = request.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) === token;
}

/** Runs one CGI request: request body to stdin, CGI headers and body from stdout. */
function serveWithHttpBackend(request: IncomingMessage, response: ServerResponse, reposRoot: string, env: NodeJS.ProcessEnv): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const cgiEnv: NodeJS.ProcessEnv = {
    ...env,
    GIT_PROJECT_ROOT: reposRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: request.method ?? 'GET',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_ADDR: '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (request.headers['content-encoding']) cgiEnv.HTTP_CONTENT_ENCODING = request.headers['content-encoding'];
  if (request.headers['git-protocol']) cgiEnv.GIT_PROTOCOL = String(request.headers['git-protocol']);
  if (request.headers['content-length']) cgiEnv.CONTENT_LENGTH = request.headers['content-length'];

  const backend = spawn('git', ['http-backend'], { env: cgiEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  request.pipe(backend.stdin);
  backend.stdin.on('error', () => undefined);
  let stderr = '';
  backend.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      response.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const split = findHeaderEnd(head);
    if (!split) return;
    const { status, headers } = parseCgiHeaders(head.subarray(0, split.at).toString('latin1'));
    response.writeHead(status, headers);
    headersSent = true;
    response.write(head.subarray(split.at + split.length));
  });
  backend.on('close', (code) => {
    if (!headersSent) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`git http-backend exited with ${code}: ${stderr}`);
      return;
    }
    response.end();
  });
}

function findHeaderEnd(buffer: Buffer): { at: number; length: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { at: crlf, length: 4 };
  if (lf >= 0) return { at: lf, length: 2 };
  return null;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  return { status, headers };
}

async function createRepository(args: { name: string; baseUrl: string; reposRoot: string; scratchRoot: string; env: NodeJS.ProcessEnv; branch: string }): Promise<TestRepository> {
  const { name, reposRoot, env, branch } = args;
  const bareDir = join(reposRoot, `${name}.git`);
  const workDir = mkdtempSync(join(args.scratchRoot, `work-${name}-`));
  await runGit(reposRoot, env, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bareDir]);
  await runGit(workDir, env, ['init', '--quiet', `--initial-branch=${branch}`]);
  await runGit(workDir, env, ['remote', 'add', 'origin', bareDir]);
  const git = (...gitArgs: string[]) => runGit(workDir, env, gitArgs);

  const repository: TestRepository = {
    name,
    url: `${args.baseUrl}/${name}.git`,
    bareDir,
    workDir,
    git,
    async commit(files, message, options) {
      for (const [path, content] of Object.entries(files)) {
        const absolute = join(workDir, path);
        if (content === null) {
          rmSync(absolute, { force: true });
          continue;
        }
        mkdirSync(dirname(absolute), { recursive: true });
        writeFileSync(absolute, content);
      }
      await git('add', '--all');
      const authorArgs = options?.author ? [`--author=${options.author}`] : [];
      await git('commit', '--quiet', '--allow-empty', '-m', message, ...authorArgs);
      return git('rev-parse', 'HEAD');
    },
    async push(pushOptions) {
      const target = pushOptions?.branch ?? (await git('rev-parse', '--abbrev-ref', 'HEAD'));
      await git('push', '--quiet', ...(pushOptions?.force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${target}`);
    },
    async commitAndPush(files, message) {
      const sha = await repository.commit(files, message);
      await repository.push();
      return sha;
    },
  };
  return repository;
}

async function closeServer(server: Server, root: string): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
