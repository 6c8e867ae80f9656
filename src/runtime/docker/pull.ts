// Images from registries: one pull for an image, shared by placements that need
// it at the same time, bounded by a timeout so a placement never hangs on a
// registry; the registry's digest for a tag (the engine's distribution endpoint);
// whether the engine holds an image. Each call to a registry carries the
// credentials the Docker client keeps for it (registry-auth.ts), if any.
import type Docker from 'dockerode';
import { imageReference } from '../../model/index.js';
import type { RegistryCredentials } from '../../model/index.js';
import { engineMessage, statusOf } from './engine-error.js';
import type { DockerConfigCredentials, RegistryAuth } from './registry-auth.js';

interface ProgressLine {
  error?: string;
  errorDetail?: { message?: string };
}

export class ImagePuller {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly docker: Docker,
    private readonly timeoutMs: number,
    private readonly credentials: DockerConfigCredentials | null = null,
  ) {}

  /** Resolves once pulled; rejects with the engine's (and so the registry's) message. `given`: the job file's credentials, else the Docker client's. */
  pull(image: string, given?: RegistryCredentials): Promise<void> {
    const key = given ? `${image}\0${given.username}\0${given.password}` : image;
    let pulling = this.inFlight.get(key);
    if (!pulling) {
      pulling = this.pullOnce(image, given).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pulling);
    }
    return pulling;
  }

  /**
   * The registry's manifest digest for the reference (`sha256:...`), asked through the
   * engine (`GET /distribution/{name}/json`) with the registry's credentials, within
   * the pull timeout: a registry that hangs must not hold a sync.
   */
  async registryDigest(image: string, given?: RegistryCredentials): Promise<string> {
    const authconfig = await this.authFor(image, given);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    timer.unref();
    try {
      const answer = await new Promise<{ Descriptor?: { digest?: string } }>((resolve, reject) => {
        this.docker.modem.dial(
          {
            path: `/distribution/${image}/json`,
            method: 'GET',
            statusCodes: { 200: true, 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 500: 'server error' },
            ...(authconfig ? { authconfig } : {}),
            abortSignal: abort.signal,
          } as never,
          (error: unknown, data: unknown) => (error ? reject(error) : resolve(data as { Descriptor?: { digest?: string } })),
        );
      });
      const digest = answer.Descriptor?.digest;
      if (!digest) throw new Error('the engine gave no digest');
      return digest;
    } catch (error) {
      throw new Error(abort.signal.aborted ? `the registry did not answer within ${this.timeoutMs}ms` : engineMessage(error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the engine holds the image. */
  async has(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  private async authFor(image: string, given?: RegistryCredentials): Promise<RegistryAuth | null> {
    const registry = imageReference(image).registry;
    if (given) return { username: given.username, password: given.password, serveraddress: given.serverAddress ?? registry };
    return this.credentials ? this.credentials.forRegistry(registry) : null;
  }

  private async pullOnce(image: string, given?: RegistryCredentials): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    timer.unref();
    try {
      const authconfig = await this.authFor(image, given);
      const stream = await this.docker.pull(image, { abortSignal: abort.signal, ...(authconfig ? { authconfig } : {}) });
      const output = await new Promise<ProgressLine[]>((resolve, reject) => {
        abort.signal.addEventListener('abort', () => reject(new Error(`pull timed out after ${this.timeoutMs}ms`)));
        this.docker.modem.followProgress(stream, (error: Error | null, lines: unknown[]) => (error ? reject(error) : resolve(lines as ProgressLine[])));
      });
      const failure = output.find((line) => line.error || line.errorDetail);
      if (failure) throw new Error(failure.errorDetail?.message ?? failure.error);
    } catch (error) {
      throw new Error(abort.signal.aborted ? `pull timed out after ${this.timeoutMs}ms` : engineMessage(error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
