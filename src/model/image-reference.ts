// Image references as Docker reads them (distribution/reference): `[registry/]path[:tag][@digest]`.
// Pure: which registry an image comes from (for its credentials), and the
// reference that pins it to a digest.

export interface ImageReference {
  /** The repository without tag or digest, as written: `127.0.0.1:5000/app`, `nginx`. */
  repository: string;
  /** Docker's registry host for it: `docker.io` when the first part is not a host. */
  registry: string;
  /** null: none written (Docker's `latest`). */
  tag: string | null;
  digest: string | null;
}

/**
 * Splits a reference. The first path part is a registry host when it holds a `.`
 * or a `:`, or is `localhost` (Docker's rule); otherwise the image is Docker Hub's.
 */
export function imageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const named = at >= 0 ? image.slice(0, at) : image;
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > slash ? named.slice(colon + 1) : null;
  const repository = colon > slash ? named.slice(0, colon) : named;
  return { repository, registry: registryOf(repository), tag, digest };
}

export function registryOf(repository: string): string {
  const first = repository.split('/')[0]!;
  const isHost = repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : 'docker.io';
}

/** `repository@digest`: what a container of a version with a resolved digest is created from. */
export function pinnedImage(image: string, digest: string): string {
  return `${imageReference(image).repository}@${digest}`;
}

/** `https://host:5000/v2/` → `host:5000`; Docker Hub's many names → `docker.io` (keys of a Docker config's `auths`). */
export function registryHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com' ? 'docker.io' : host;
}
