// A Node.js base image made from this machine's own Node (no image registry is
// reachable here): node and npm, the C libraries node links against, a static
// busybox for the Dockerfile's shell steps, CA certificates and a `node` user —
// what deploy/Dockerfile expects of `node:24-bookworm-slim`.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The shared libraries `ldd` lists for a binary, by their paths on this machine. */
function sharedLibraries(binary: string): string[] {
  const listed = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...listed.matchAll(/(\/\S+\.so[.\d]*)/g)].map((m) => m[1]!);
}

export function buildNodeBaseImage(tag: string, labels: Record<string, string>): void {
  const root = mkdtempSync(join(tmpdir(), 'deckhand-node-base-'));
  try {
    // process.execPath is …/bin/node of an install whose lib/node_modules holds npm.
    const nodeHome = dirname(dirname(realpathSync(process.execPath)));
    cpSync(join(nodeHome, 'bin'), join(root, 'usr/local/bin'), { recursive: true, verbatimSymlinks: true });
    cpSync(join(nodeHome, 'lib'), join(root, 'usr/local/lib'), { recursive: true, verbatimSymlinks: true });
    for (const library of sharedLibraries(process.execPath)) {
      const target = join(root, library);
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(realpathSync(library), target);
    }
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const tool of ['sh', 'mkdir', 'chown', 'ls', 'cat', 'rm', 'cp', 'mv', 'ln', 'chmod', 'id']) symlinkSync('busybox', join(root, 'bin', tool));
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    symlinkSync('../../bin/busybox', join(root, 'usr/bin/env'));
    // The machine's CA bundle when it has one (a TLS-inspecting proxy's CA would be there); else Node's own.
    const caBundle = '/etc/ssl/certs/ca-certificates.crt';
    const hasCaBundle = existsSync(caBundle);
    if (hasCaBundle) {
      mkdirSync(join(root, 'etc/ssl/certs'), { recursive: true });
      copyFileSync(caBundle, join(root, caBundle));
    }
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    for (const dir of ['tmp', 'root', 'home/node']) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    chownSync(join(root, 'home/node'), 1000, 1000);
    const changes = [
      // npm inside the build trusts what npm on this machine trusts (a proxy's CA included).
      ...(hasCaBundle ? [`ENV npm_config_cafile=${caBundle}`] : []),
      ...Object.entries(labels).map(([key, value]) => `LABEL ${key}=${value}`),
    ].flatMap((change) => ['--change', change]);
    const archive = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
    execFileSync('docker', ['import', ...changes, '-', tag], { input: archive, maxBuffer: 1 << 20 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
