// A render cache for callers that render the same files again and again (the
// agent, on every sync of a repository where a few files changed). Render is pure:
// a file gives the same jobs and diagnostics as long as its bytes, the other files
// it read (a Compose `.env`, an `env_file`), the tree's root name and the options
// are the same. The cache checks all of these, byte for byte, before it reuses a
// result, so a hit is indistinguishable from rendering again but for the time.
//
// Results are shared between hits: jobs are values that nothing changes after
// render (the plan's spec-hash caches rely on that as well).
import type { RenderOptions } from './types.js';

/** What one path rendered to; the cache does not look inside. */
export type CachedRender = object;

interface Entry {
  rootName: string;
  options: string;
  /** Every file the render read, the rendered file first, with the bytes it saw (undefined: absent). */
  reads: Map<string, Uint8Array | undefined>;
  result: CachedRender;
}

/** How many paths a cache remembers by default: the least recently used go first. */
const defaultMaxEntries = 10_000;

/** The options as the cache compares them; taken once per tree, as options may be changed between renders. */
export function renderOptionsKey(options: RenderOptions): string {
  return JSON.stringify([options.env, options.vars, options.varFiles, options.limits ?? null]);
}

export class RenderCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries = defaultMaxEntries) {}

  /**
   * The cached result for `path` if nothing it depends on changed; otherwise
   * renders it with `render`, given a view of the files that records what it reads.
   */
  render<T extends CachedRender>(
    files: ReadonlyMap<string, Uint8Array>,
    rootName: string,
    path: string,
    optionsKey: string,
    render: (files: ReadonlyMap<string, Uint8Array>) => T,
  ): T {
    const entry = this.entries.get(path);
    if (entry && entry.rootName === rootName && entry.options === optionsKey && sameReads(entry.reads, files)) {
      // Most recently used last: eviction takes the first.
      this.entries.delete(path);
      this.entries.set(path, entry);
      this.hits++;
      return entry.result as T;
    }
    this.misses++;
    const recorder = new RecordingFiles(files);
    recorder.get(path);
    const result = render(recorder);
    this.entries.delete(path);
    // A result that looked at the host (bind mounts' paths) may differ on the next sync with the same files.
    if (!recorder.sawEverything && !(result as { readsHost?: boolean }).readsHost) {
      this.entries.set(path, { rootName, options: optionsKey, reads: recorder.reads, result });
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    }
    return result;
  }

  get size(): number {
    return this.entries.size;
  }
}

function sameReads(reads: Map<string, Uint8Array | undefined>, files: ReadonlyMap<string, Uint8Array>): boolean {
  for (const [path, bytes] of reads) {
    const now = files.get(path);
    if (now === bytes) continue;
    if (now === undefined || bytes === undefined || !Buffer.from(now.buffer, now.byteOffset, now.byteLength).equals(bytes)) return false;
  }
  return true;
}

/** The tree's files as a render sees them, remembering which it read. */
class RecordingFiles implements ReadonlyMap<string, Uint8Array> {
  readonly reads = new Map<string, Uint8Array | undefined>();
  /** Set when the render listed the files: then any file may matter, and the result is not cached. */
  sawEverything = false;

  constructor(private readonly files: ReadonlyMap<string, Uint8Array>) {}

  get(path: string): Uint8Array | undefined {
    const bytes = this.files.get(path);
    if (!this.reads.has(path)) this.reads.set(path, bytes);
    return bytes;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  get size(): number {
    this.sawEverything = true;
    return this.files.size;
  }

  forEach(callback: (value: Uint8Array, key: string, map: ReadonlyMap<string, Uint8Array>) => void): void {
    this.sawEverything = true;
    this.files.forEach((value, key) => callback(value, key, this));
  }

  entries(): MapIterator<[string, Uint8Array]> {
    this.sawEverything = true;
    return this.files.entries();
  }

  keys(): MapIterator<string> {
    this.sawEverything = true;
    return this.files.keys();
  }

  values(): MapIterator<Uint8Array> {
    this.sawEverything = true;
    return this.files.values();
  }

  [Symbol.iterator](): MapIterator<[string, Uint8Array]> {
    return this.entries();
  }
}
