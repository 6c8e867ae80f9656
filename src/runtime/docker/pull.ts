// One pull for an image the engine lacks, shared by placements that need it at
// the same time, bounded by a timeout so a placement never hangs on a registry.
import type Docker from 'dockerode';
import { engineMessage } from './engine-error.js';

interface ProgressLine {
  error?: string;
  errorDetail?: { message?: string };
}

export class ImagePuller {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly docker: Docker,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves once pulled; rejects with the engine's message. */
  pull(image: string): Promise<void> {
    let pulling = this.inFlight.get(image);
    if (!pulling) {
      pulling = this.pullOnce(image).finally(() => this.inFlight.delete(image));
      this.inFlight.set(image, pulling);
    }
    return pulling;
  }

  private async pullOnce(image: string): Promise<void> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    timer.unref();
    try {
      const stream = await this.docker.pull(image, { abortSignal: abort.signal });
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
