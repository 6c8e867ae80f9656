// Demo and test images, built locally FROM scratch with a static busybox: no
// registry is needed. Each serves "version <name>" on `/` and "<name> <container
// host name>" on `/who` with busybox httpd on every address of its container, on
// $PORT (default 8080), or on port 80 whatever $PORT says (the fixed-port ones,
// like most images on any registry), and carries a HEALTHCHECK that shows within
// about a second. Building is idempotent: an image whose tag exists with the
// same content hash (a label) is left alone, so a warm call costs a few inspects.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { tar } from './tar.js';
import type { TarEntry } from './tar.js';

export const demoBaseImage = 'deckhand-demo-base:1';
export const demoImageV1 = 'deckhand-demo:v1';
export const demoImageV2 = 'deckhand-demo:v2';
export const demoImageV3 = 'deckhand-demo:v3';
export const demoImageUnhealthy = 'deckhand-demo:unhealthy';
/** Listen on port 80 and never read $PORT. */
export const fixedPortImageV1 = 'deckhand-demo:fixed-v1';
export const fixedPortImageV2 = 'deckhand-demo:fixed-v2';
export const fixedPortImageUnhealthy = 'deckhand-demo:fixed-unhealthy';
/** References the scenarios expect to fail: they are never built. */
export const missingImages = ['geo-api-server:0.33', 'deckhand-demo:v10', 'dummy/dummy:v99.9'] as const;

const hashLabel = 'deckhand.demo.hash';
// No --start-period: the engine (20.10) refuses `0s`, and its default is no grace.
const healthOptions = '--interval=1s --timeout=3s --retries=2';

interface Variant {
  tag: string;
  /** What the server answers on `/`. */
  body: string;
  healthcheck: string;
  /** The seeds' image names, tagged onto the same image. */
  aliases: string[];
  /** A port it always listens on; absent: $PORT. */
  fixedPort?: number;
}

const passingCheck = 'wget -q -O /dev/null http://127.0.0.1:${PORT:-8080}/ || exit 1';
const fixedCheck = 'wget -q -O /dev/null http://127.0.0.1:80/ || exit 1';

const variants: Variant[] = [
  { tag: demoImageV1, body: 'version v1', healthcheck: passingCheck, aliases: ['hashicorp/demo-webapp:v1', 'geo-api-server:0.1'] },
  { tag: demoImageV2, body: 'version v2', healthcheck: passingCheck, aliases: ['hashicorp/demo-webapp:v2', 'geo-api-server:0.2'] },
  { tag: demoImageV3, body: 'version v3', healthcheck: passingCheck, aliases: [] },
  { tag: demoImageUnhealthy, body: 'version unhealthy', healthcheck: 'false', aliases: [] },
  { tag: fixedPortImageV1, body: 'version fixed-v1', healthcheck: fixedCheck, aliases: [], fixedPort: 80 },
  { tag: fixedPortImageV2, body: 'version fixed-v2', healthcheck: fixedCheck, aliases: [], fixedPort: 80 },
  { tag: fixedPortImageUnhealthy, body: 'version fixed-unhealthy', healthcheck: 'false', aliases: [], fixedPort: 80 },
];

export interface BuildDemoImagesOptions {
  /** A statically linked busybox (Debian's busybox-static). */
  busyboxPath?: string;
}

export interface BuildDemoImagesResult {
  /** Images built (not found, or found with other content). */
  built: string[];
  /** Extra tags set on an existing image. */
  tagged: string[];
}

function serveScript(variant: Variant): string {
  const name = variant.body.replace(/^version /, '');
  return [
    '#!/bin/sh',
    variant.fixedPort === undefined ? 'PORT="${PORT:-8080}"' : `PORT=${variant.fixedPort}`,
    'mkdir -p /www',
    `echo '${variant.body}' > /www/index.html`,
    `echo "${name} $(hostname)" > /www/who`,
    'exec httpd -f -p "${PORT}" -h /www',
    '',
  ].join('\n');
}

function contentHash(parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

async function inspectImage(docker: Docker, name: string): Promise<{ id: string; hash: string | null } | null> {
  try {
    const info = await docker.getImage(name).inspect();
    return { id: info.Id, hash: info.Config?.Labels?.[hashLabel] ?? null };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null;
    throw error;
  }
}

async function build(docker: Docker, tag: string, files: TarEntry[]): Promise<void> {
  const stream = await docker.buildImage(Readable.from([tar(files)]), { t: tag, rm: true, forcerm: true });
  const output = await new Promise<Array<{ error?: string; errorDetail?: { message?: string } }>>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, result: unknown[]) => (error ? reject(error) : resolve(result as never)));
  });
  const failure = output.find((line) => line.error || line.errorDetail);
  if (failure) throw new Error(`building ${tag}: ${failure.errorDetail?.message ?? failure.error}`);
}

function splitTag(name: string): { repo: string; tag: string } {
  const colon = name.lastIndexOf(':');
  return { repo: name.slice(0, colon), tag: name.slice(colon + 1) };
}

/** Builds the base image and every variant that is missing or out of date, then sets the seeds' tags. */
export async function buildDemoImages(docker: Docker, options: BuildDemoImagesOptions = {}): Promise<BuildDemoImagesResult> {
  const result: BuildDemoImagesResult = { built: [], tagged: [] };
  const busybox = await readFile(options.busyboxPath ?? '/bin/busybox');
  const baseDockerfile = ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "--install", "-s", "/bin"]'];
  const baseHash = contentHash([...baseDockerfile, busybox]);
  if ((await inspectImage(docker, demoBaseImage))?.hash !== baseHash) {
    const dockerfile = [...baseDockerfile, `LABEL ${hashLabel}="${baseHash}"`, ''].join('\n');
    await build(docker, demoBaseImage, [
      { name: 'Dockerfile', data: dockerfile },
      { name: 'busybox', data: busybox, mode: 0o755 },
    ]);
    result.built.push(demoBaseImage);
  }
  await Promise.all(variants.map((variant) => buildVariant(docker, variant, baseHash, result)));
  return result;
}

async function buildVariant(docker: Docker, variant: Variant, baseHash: string, result: BuildDemoImagesResult): Promise<void> {
  const script = serveScript(variant);
  const lines = [
    `FROM ${demoBaseImage}`,
    'COPY serve.sh /serve.sh',
    `HEALTHCHECK ${healthOptions} CMD ${variant.healthcheck}`,
    'CMD ["/serve.sh"]',
  ];
  const hash = contentHash([baseHash, ...lines, script]);
  let image = await inspectImage(docker, variant.tag);
  if (image?.hash !== hash) {
    const dockerfile = [...lines, `LABEL ${hashLabel}="${hash}"`, ''].join('\n');
    await build(docker, variant.tag, [
      { name: 'Dockerfile', data: dockerfile },
      { name: 'serve.sh', data: script, mode: 0o755 },
    ]);
    result.built.push(variant.tag);
    image = await inspectImage(docker, variant.tag);
  }
  for (const alias of variant.aliases) {
    if ((await inspectImage(docker, alias))?.id === image?.id) continue;
    await docker.getImage(variant.tag).tag(splitTag(alias));
    result.tagged.push(alias);
  }
}
