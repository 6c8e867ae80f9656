// A test swarm's watchdog: a process of its own, started by SwarmCluster.start(),
// that sweeps the cluster's traces once the test process is gone, however it went
// (a failed or hung test, Ctrl-C, SIGKILL). Jest runs tests with a copy of `process`,
// so exit and signal hooks set there never run; a pipe's end is noticed whatever
// killed its writer. It reads the cluster's names (ClusterNames, JSON) on stdin and
// sweeps when stdin ends: at teardown the test process ends it itself, and the sweep
// finds nothing left. Run by Node directly: the source with type stripping under
// jest, the build's copy for the benchmarks.
import { text } from 'node:stream/consumers';
import type * as Traces from './traces.js';

// A specifier computed at run time, so tsc leaves it alone: the source's traces.ts when Node runs this
// file with type stripping (under jest), the build's traces.js when it runs the build (the benchmarks).
const ownExtension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const { ClusterTraces } = (await import(new URL(`./traces.${ownExtension}`, import.meta.url).href)) as typeof Traces;
const names = JSON.parse(await text(process.stdin)) as Traces.ClusterNames;
new ClusterTraces(names).sweep();
