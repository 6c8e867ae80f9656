// The edge benchmark's backend: a keep-alive HTTP server (busybox httpd closes
// every connection, so it cannot serve the keep-alive rows), built locally FROM
// scratch out of this machine's own node binary and the shared libraries it
// needs (ldd), so no registry is needed. It answers `$NAME\n` on port 80.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { tar } from '../src/demo/tar.js';
import type { TarEntry } from '../src/demo/tar.js';

export const backendImage = 'deckhand-bench-node:1';
const hashLabel = 'deckhand.bench.hash';

const server = `require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(process.env.NAME + '\\n');
}).listen(80);
`;

/** The libraries the node binary loads, as absolute paths (ldd's "=> /path" and the loader). */
function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1]!);
}

export async function buildBackendImage(docker: Docker): Promise<void> {
  const node = process.execPath;
  const libraries = sharedLibraries(node);
  const dockerfile = ['FROM scratch', 'COPY . /', 'EXPOSE 80', 'CMD ["/node", "/server.cjs"]'];
  const hash = createHash('sha256').update([process.version, node, ...libraries, ...dockerfile, server].join('\0')).digest('hex').slice(0, 16);
  try {
    if ((await docker.getImage(backendImage).inspect()).Config?.Labels?.[hashLabel] === hash) return;
  } catch {
    // not built yet
  }
  const files: TarEntry[] = [
    { name: 'Dockerfile', data: [...dockerfile, `LABEL ${hashLabel}="${hash}"`, ''].join('\n') },
    { name: 'server.cjs', data: server },
    { name: 'node', data: readFileSync(node), mode: 0o755 },
    // Each library at the path the binary asks for (the loader resolves symlinks at run time; a copy will do).
    ...libraries.map((path) => ({ name: path.slice(1), data: readFileSync(realpathSync(path)), mode: 0o755 })),
  ];
  const stream = await docker.buildImage(Readable.from([tar(files)]), { t: backendImage, rm: true, forcerm: true });
  const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, result: unknown[]) => (error ? reject(error) : resolve(result as never)));
  });
  const failure = output.find((line) => line.error);
  if (failure) throw new Error(`building ${backendImage}: ${failure.error}`);
}
