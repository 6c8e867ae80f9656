// The CLI's side of the agent's API: where the agent is (DECKHAND_ADDR), the
// token (DECKHAND_TOKEN), errors as the agent words them, and the event stream.
import type { StreamedEvent } from '../api/index.js';
import { formatDiagnostic, isError } from '../model/index.js';
import type { Diagnostic } from '../model/index.js';
import type { CliIO } from './io.js';
import { CliExit } from './io.js';

export const defaultAgentAddress = 'http://127.0.0.1:4646';

/**
 * DECKHAND_ADDR (or --addr) as the CLI uses it: an http(s) URL of the agent itself,
 * with no path. What people type by mistake gets a message saying what to write.
 */
export function agentAddress(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  const schemeless = !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  if (schemeless) throw new CliExit(1, `Error: the agent address "${text}" (DECKHAND_ADDR or --addr) has no scheme: write http://${trimmed}`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new CliExit(1, `Error: the agent address "${text}" (DECKHAND_ADDR or --addr) is not a URL: write it as ${defaultAgentAddress}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliExit(1, `Error: the agent address "${text}" (DECKHAND_ADDR or --addr): expected http:// or https://, got ${url.protocol}//`);
  // A path is kept (an agent behind a reverse proxy's prefix); the API's own /v1 is not part of it.
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/v1$/.test(path) || url.search || url.hash) {
    throw new CliExit(1, `Error: the agent address "${text}" (DECKHAND_ADDR or --addr) goes past the agent: write ${url.origin}${path.replace(/\/v1$/, '')}`);
  }
  return `${url.origin}${path}`;
}

export class AgentError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}

export class AgentClient {
  readonly address: string;
  private readonly token: string | null;

  constructor(io: CliIO) {
    this.address = agentAddress(io.env.DECKHAND_ADDR || defaultAgentAddress);
    this.token = io.env.DECKHAND_TOKEN || null;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(path, {
      method,
      headers: { ...this.authHeader(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: a proxy or something else answered; the status says enough.
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      throw new AgentError(response.status, error?.code ?? `http-${response.status}`, error?.message ?? `the agent answered ${response.status} ${response.statusText}`, parsed);
    }
    return parsed as T;
  }

  /**
   * Follows `/v1/events` until `close()`; resolves once subscribed, so what the
   * caller submits afterwards is seen. `stop`, when given, closes it too.
   * `ended` resolves when the agent ends the stream (it stopped), and rejects
   * when the connection breaks.
   */
  async events(query: Record<string, string>, onEvent: (event: StreamedEvent) => void, stop?: AbortSignal): Promise<{ close(): void; ended: Promise<void> }> {
    const controller = new AbortController();
    const signal = stop ? AbortSignal.any([controller.signal, stop]) : controller.signal;
    const response = await this.fetch(`/v1/events?${new URLSearchParams(query)}`, { headers: this.authHeader(), signal });
    if (!response.ok || !response.body) throw new AgentError(response.status, 'events', `the agent's event stream answered ${response.status}`, null);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let subscribed!: () => void;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    const ended = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let boundary: number;
          while ((boundary = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            if (block.startsWith(': subscribed')) subscribed();
            const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
            if (data) onEvent(JSON.parse(data) as StreamedEvent);
          }
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      } finally {
        subscribed();
      }
    })();
    await ready;
    return { close: () => controller.abort(), ended };
  }

  private authHeader(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.address}${path}`, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code === 'ECONNREFUSED' ? 'connection refused' : (cause?.message ?? (error as Error).message);
      throw new CliExit(1, `Error: no deckhand agent answers at ${this.address} (${reason}). Start one with "deckhand agent", or point DECKHAND_ADDR at it.`);
    }
  }
}

/**
 * Turns an agent's error into the CLI's exit: the agent's message, and exit 1.
 * `place` turns a file of the bundle (relative to its root) into the path the user typed.
 */
export function agentExit(error: unknown, what: string, place?: (file: string) => string): never {
  if (error instanceof AgentError) {
    const diagnostics = (error.body as { error?: { diagnostics?: Diagnostic[] } } | null)?.error?.diagnostics;
    // Render errors already name file:line:col; other errors get the context.
    if (diagnostics?.length && place) throw new CliExit(1, diagnostics.filter(isError).map((d) => formatDiagnostic({ ...d, file: place(d.file) })).join('\n'));
    throw new CliExit(1, diagnostics?.length ? error.message : `Error ${what}: ${error.message}`);
  }
  throw error;
}
