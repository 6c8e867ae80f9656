// Runs an allocation's http, tcp and grpc checks from the host, against the ports the
// allocation's containers are published on. exec checks are not run here: they
// become the container's HEALTHCHECK, carried out by the engine.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Check, GrpcCheck, HttpCheck, TcpCheck } from '../model/index.js';
import type { CheckStatus } from './driver.js';
import { timerDelay } from '../util/index.js';
import { probeGrpc } from './grpc-probe.js';

export type NetworkCheck = HttpCheck | TcpCheck | GrpcCheck;

interface CheckState {
  check: NetworkCheck;
  /** Consecutive failures counted (outside the start period). */
  failures: number;
  /** Readiness: passed, and not failed `retries` times since. */
  passing: boolean;
  /** Liveness: failed `retries` times in a row. */
  failed: boolean;
  timer: NodeJS.Timeout | null;
}

interface Watched {
  jobId: string;
  ports: Record<string, number>;
  startedAt: number;
  states: CheckState[];
  lastError: string | null;
  /** When every readiness check last came to pass; null while one does not. */
  readySince: number | null;
  stopped: boolean;
}

const allPassing: CheckStatus = { ready: true, livenessFailed: false, lastError: null, readySince: null };

/** Where checks connect: the publish address, or loopback when ports are published on every address. */
export function probeHostOf(publishAddress: string): string {
  return publishAddress === '0.0.0.0' || publishAddress === '' ? '127.0.0.1' : publishAddress === '::' ? '::1' : publishAddress;
}

/**
 * One probe: null when it passed, else why it failed. A numbered port is the one the
 * process listens on (a Kubernetes probe's containerPort): `ports` maps it to its host port.
 */
export function probe(check: NetworkCheck, ports: Record<string, number>, host = '127.0.0.1'): Promise<string | null> {
  const port = typeof check.port === 'number' ? (ports[String(check.port)] ?? check.port) : ports[check.port];
  if (port === undefined) return Promise.resolve(`no port labelled "${check.port}"`);
  return probeAt(check, host, port);
}

/** Where a runtime's allocation answers a check now (another runtime's addresses move with its tasks), or why it cannot be probed. */
export type ProbeTarget = (allocId: string, check: NetworkCheck) => { host: string; port: number } | string;

/** One probe of one address. */
export function probeAt(check: NetworkCheck, host: string, port: number): Promise<string | null> {
  switch (check.type) {
    case 'http':
      return probeHttp(check, host, port);
    case 'tcp':
      return probeTcp(check, host, port);
    case 'grpc':
      return probeGrpc(check, host, port);
  }
}

function probeHttp(check: HttpCheck, host: string, port: number): Promise<string | null> {
  const target = `${check.method} http://${host}:${port}${check.path}`;
  return new Promise((resolve) => {
    const req = request({ host: host, port, path: check.path, method: check.method, agent: false, headers: { 'user-agent': 'deckhand' } });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(`${target}: timed out after ${check.timeoutMs}ms`);
    }, timerDelay(check.timeoutMs)).unref();
    req.on('socket', (socket) => socket.unref());
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? null : `${target}: ${status} ${res.statusMessage ?? ''}`.trimEnd());
    });
    req.on('error', (error) => {
      clearTimeout(timer);
      resolve(`${target}: ${error.message}`);
    });
    req.end();
  });
}

function probeTcp(check: TcpCheck, host: string, port: number): Promise<string | null> {
  const target = `tcp ${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: host, port });
    socket.unref();
    const done = (result: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(`${target}: timed out after ${check.timeoutMs}ms`), timerDelay(check.timeoutMs)).unref();
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(`${target}: ${error.message}`));
  });
}

function summarize(watched: Watched): CheckStatus {
  const ready = watched.states.every((state) => state.check.role !== 'readiness' || state.passing);
  return {
    ready,
    livenessFailed: watched.states.some((state) => state.check.role === 'liveness' && state.failed),
    lastError: watched.lastError,
    readySince: ready ? watched.readySince : null,
  };
}

export class CheckRunner {
  private readonly watched = new Map<string, Watched>();

  constructor(
    /** Called when `ready` or `livenessFailed` of an allocation changes. */
    private readonly onChange: (allocId: string, jobId: string, status: CheckStatus) => void,
    private readonly now: () => number = Date.now,
    private readonly host = '127.0.0.1',
    /** Where each probe goes, asked at each probe; absent: `host` and the allocation's ports. */
    private readonly targetOf?: ProbeTarget,
  ) {}

  watch(allocId: string, jobId: string, checks: Check[], ports: Record<string, number>): void {
    this.unwatch(allocId);
    const network = checks.filter((check): check is NetworkCheck => check.type !== 'exec');
    const states = network.map((check) => ({ check, failures: 0, passing: false, failed: false, timer: null }));
    const watched: Watched = { jobId, ports: { ...ports }, startedAt: this.now(), states, lastError: null, readySince: null, stopped: false };
    this.watched.set(allocId, watched);
    for (const state of states) this.schedule(allocId, watched, state, 0);
  }

  unwatch(allocId: string): void {
    const watched = this.watched.get(allocId);
    if (!watched) return;
    watched.stopped = true;
    for (const state of watched.states) if (state.timer) clearTimeout(state.timer);
    this.watched.delete(allocId);
  }

  status(allocId: string): CheckStatus {
    const watched = this.watched.get(allocId);
    return watched ? summarize(watched) : { ...allPassing };
  }

  close(): void {
    for (const allocId of [...this.watched.keys()]) this.unwatch(allocId);
  }

  private schedule(allocId: string, watched: Watched, state: CheckState, delayMs: number): void {
    state.timer = setTimeout(() => void this.run(allocId, watched, state), timerDelay(delayMs)).unref();
  }

  private async run(allocId: string, watched: Watched, state: CheckState): Promise<void> {
    state.timer = null;
    const started = this.now();
    const failure = await this.probeOnce(allocId, state.check, watched);
    if (watched.stopped) return;
    const before = summarize(watched);
    this.record(watched, state, failure, started);
    if (!before.ready) watched.readySince = this.now();
    const after = summarize(watched);
    if (before.ready !== after.ready || before.livenessFailed !== after.livenessFailed) this.onChange(allocId, watched.jobId, after);
    this.schedule(allocId, watched, state, Math.max(0, state.check.intervalMs - (this.now() - started)));
  }

  private probeOnce(allocId: string, check: NetworkCheck, watched: Watched): Promise<string | null> {
    if (!this.targetOf) return probe(check, watched.ports, this.host);
    const target = this.targetOf(allocId, check);
    return typeof target === 'string' ? Promise.resolve(target) : probeAt(check, target.host, target.port);
  }

  private record(watched: Watched, state: CheckState, failure: string | null, at: number): void {
    if (failure === null) {
      state.failures = 0;
      state.passing = true;
      state.failed = false;
      return;
    }
    const name = state.check.name ? `check "${state.check.name}": ` : '';
    watched.lastError = name + failure;
    // As Docker's start period: failures while the task starts do not count.
    if (at - watched.startedAt < state.check.startPeriodMs) return;
    state.failures += 1;
    if (state.failures >= Math.max(1, state.check.retries)) {
      state.passing = false;
      state.failed = true;
    }
  }
}
