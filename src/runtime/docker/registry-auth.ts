// Registry credentials as the Docker client keeps them (docker/cli's configfile and
// credentials packages): `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`;
// a registry's `credHelpers` entry, else `credsStore`, names a helper
// (`docker-credential-<name> get`, the server's address on stdin, JSON on stdout);
// else `auths` holds `auth` (base64 of `user:password`) or an identity token.
// The file is read on each lookup: a `docker login` while the agent runs counts
// at the next pull. What is found goes only into the engine's X-Registry-Auth header.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { registryHost } from '../../model/index.js';

/** The engine's AuthConfig (API `X-Registry-Auth`), as dockerode's `authconfig` sends it. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

/** What a credential helper says for a server: null when it has nothing for it. */
export type HelperRunner = (helper: string, serverAddress: string, env: Record<string, string | undefined>) => Promise<{ Username: string; Secret: string } | null>;

export interface DockerConfigOptions {
  /** `DOCKER_CONFIG` and `HOME` are read from it, and helpers run with it (`PATH`); the process's own by default. */
  env?: Record<string, string | undefined>;
  runHelper?: HelperRunner;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The key Docker Hub's credentials are kept under. */
export const dockerHubServer = 'https://index.docker.io/v1/';

/** Where the Docker client keeps its configuration. */
export function dockerConfigPath(env: Record<string, string | undefined> = process.env): string {
  const dir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  return join(dir, 'config.json');
}


export class DockerConfigCredentials {
  private readonly env: Record<string, string | undefined>;
  private readonly runHelper: HelperRunner;

  constructor(options: DockerConfigOptions = {}) {
    this.env = options.env ?? process.env;
    this.runHelper = options.runHelper ?? runCredentialHelper;
  }

  get path(): string {
    return dockerConfigPath(this.env);
  }

  /** The credentials for a registry host (`127.0.0.1:5000`, `docker.io`); null: pull anonymously. */
  async forRegistry(registry: string): Promise<RegistryAuth | null> {
    const config = await this.read();
    if (!config) return null;
    const host = registryHost(registry);
    const serveraddress = host === 'docker.io' ? dockerHubServer : host;
    const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => registryHost(key) === host)?.[1] ?? config.credsStore;
    if (helper) {
      const found = await this.runHelper(helper, serveraddress, this.env);
      if (found) {
        // A helper returns an identity (refresh) token under the user name `<token>`.
        return found.Username === '<token>' ? { identitytoken: found.Secret, serveraddress } : { username: found.Username, password: found.Secret, serveraddress };
      }
    }
    const entry = Object.entries(config.auths ?? {}).find(([key]) => registryHost(key) === host)?.[1];
    if (!entry) return null;
    if (entry.identitytoken) return { identitytoken: entry.identitytoken, serveraddress };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error(`${this.path}: auths["${host}"].auth is not base64 of "user:password"`);
      return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password, serveraddress };
    return null;
  }

  private async read(): Promise<ConfigFile | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`reading ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
      return parsed as ConfigFile;
    } catch (error) {
      throw new Error(`${this.path}: not a Docker client configuration: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Helpers say "credentials not found" on stderr and exit 1 when they hold nothing for the server. */
const notFound = /credentials not found/i;

/** Runs `docker-credential-<helper> get` as the Docker client does. */
export const runCredentialHelper: HelperRunner = (helper, serverAddress, env) =>
  new Promise((resolve, reject) => {
    if (!/^[\w.-]+$/.test(helper)) {
      reject(new Error(`credential helper "${helper}" is not a helper name (docker-credential-<name>)`));
      return;
    }
    const program = `docker-credential-${helper}`;
    const child = execFile(program, ['get'], { env, timeout: 10_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        if (notFound.test(stdout) || notFound.test(stderr)) resolve(null);
        else reject(new Error(`${program} get: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH' : (stderr || stdout || error.message).trim()}`));
        return;
      }
      try {
        const answer = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
        if (typeof answer.Username !== 'string' || typeof answer.Secret !== 'string') throw new Error('expected {"Username": ..., "Secret": ...}');
        resolve({ Username: answer.Username, Secret: answer.Secret });
      } catch (parseError) {
        reject(new Error(`${program} get: ${(parseError as Error).message}`));
      }
    });
    child.stdin?.end(serverAddress);
  });
