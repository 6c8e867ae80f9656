// The Docker client's registry credentials, read as docker/cli reads them: auths
// (base64 user:password, identity tokens) under any spelling of the registry's
// address, credHelpers before credsStore before auths, a broken file named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryHost } from '../../src/model/index.js';
import { DockerConfigCredentials, dockerConfigPath } from '../../src/runtime/docker/registry-auth.js';
import type { HelperRunner } from '../../src/runtime/docker/registry-auth.js';
import { imageReference } from '../../src/model/image-reference.js';

function configDir(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'deckhand-docker-config-'));
  writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('where the configuration is', () => {
  it('DOCKER_CONFIG, else ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/etc/dc', HOME: '/home/a' })).toBe('/etc/dc/config.json');
    expect(dockerConfigPath({ HOME: '/home/a' })).toBe('/home/a/.docker/config.json');
  });
});

describe('registry addresses', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['Ghcr.IO', 'ghcr.io'],
  ])('%s is %s', (key, host) => expect(registryHost(key)).toBe(host));

  it.each([
    ['nginx', 'docker.io', 'nginx', null, null],
    ['library/nginx:1.27', 'docker.io', 'library/nginx', '1.27', null],
    ['127.0.0.1:5000/app:main', '127.0.0.1:5000', '127.0.0.1:5000/app', 'main', null],
    ['localhost/app', 'localhost', 'localhost/app', null, null],
    ['ghcr.io/o/app@sha256:abc', 'ghcr.io', 'ghcr.io/o/app', null, 'sha256:abc'],
    ['127.0.0.1:5000/app:v1@sha256:abc', '127.0.0.1:5000', '127.0.0.1:5000/app', 'v1', 'sha256:abc'],
  ])('image %s comes from %s', (image, registry, repository, tag, digest) => {
    expect(imageReference(image)).toEqual({ registry, repository, tag, digest });
  });
});

describe('credentials', () => {
  const noHelper: HelperRunner = async () => {
    throw new Error('no helper expected');
  };

  it('auths: base64 user:password under any spelling of the address; none for others', async () => {
    const env = { DOCKER_CONFIG: configDir({ auths: { 'http://127.0.0.1:5000/v2/': { auth: basic('ann', 'p:w') }, 'https://index.docker.io/v1/': { auth: basic('hub', 'x') } } }) };
    const credentials = new DockerConfigCredentials({ env, runHelper: noHelper });
    expect(await credentials.forRegistry('127.0.0.1:5000')).toEqual({ username: 'ann', password: 'p:w', serveraddress: '127.0.0.1:5000' });
    expect(await credentials.forRegistry('docker.io')).toEqual({ username: 'hub', password: 'x', serveraddress: 'https://index.docker.io/v1/' });
    expect(await credentials.forRegistry('ghcr.io')).toBeNull();
  });

  it('an identity token is sent as one', async () => {
    const env = { DOCKER_CONFIG: configDir({ auths: { 'ghcr.io': { identitytoken: 'tok' } } }) };
    expect(await new DockerConfigCredentials({ env, runHelper: noHelper }).forRegistry('ghcr.io')).toEqual({ identitytoken: 'tok', serveraddress: 'ghcr.io' });
  });

  it('credHelpers wins over credsStore, which wins over auths; a helper\'s <token> is an identity token', async () => {
    const asked: string[] = [];
    const runHelper: HelperRunner = async (helper, server) => {
      asked.push(`${helper} ${server}`);
      if (helper === 'ecr') return { Username: 'AWS', Secret: 'ecr-secret' };
      if (server === 'ghcr.io') return { Username: '<token>', Secret: 'refresh' };
      return null;
    };
    const env = { DOCKER_CONFIG: configDir({ credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr' }, credsStore: 'pass', auths: { 'quay.io': { auth: basic('q', 'r') } } }) };
    const credentials = new DockerConfigCredentials({ env, runHelper });
    expect(await credentials.forRegistry('123.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({ username: 'AWS', password: 'ecr-secret', serveraddress: '123.dkr.ecr.eu-west-1.amazonaws.com' });
    expect(await credentials.forRegistry('ghcr.io')).toEqual({ identitytoken: 'refresh', serveraddress: 'ghcr.io' });
    // The store has nothing for quay.io: the file's own entry is used.
    expect(await credentials.forRegistry('quay.io')).toEqual({ username: 'q', password: 'r', serveraddress: 'quay.io' });
    expect(asked).toEqual(['ecr 123.dkr.ecr.eu-west-1.amazonaws.com', 'pass ghcr.io', 'pass quay.io']);
  });

  it('no file: anonymous; a broken file or entry: an error naming the file', async () => {
    expect(await new DockerConfigCredentials({ env: { DOCKER_CONFIG: mkdtempSync(join(tmpdir(), 'deckhand-docker-config-')) } }).forRegistry('docker.io')).toBeNull();
    const broken = { DOCKER_CONFIG: configDir('{ "auths": ') };
    await expect(new DockerConfigCredentials({ env: broken }).forRegistry('docker.io')).rejects.toThrow(`${broken.DOCKER_CONFIG}/config.json: not a Docker client configuration`);
    const badAuth = { DOCKER_CONFIG: configDir({ auths: { 'quay.io': { auth: Buffer.from('no-colon').toString('base64') } } }) };
    await expect(new DockerConfigCredentials({ env: badAuth }).forRegistry('quay.io')).rejects.toThrow(/auths\["quay.io"\]\.auth is not base64 of "user:password"/);
  });

  it('a helper missing from PATH is an error that names it', async () => {
    const env = { DOCKER_CONFIG: configDir({ credsStore: 'nosuchhelper' }), PATH: '/nonexistent' };
    await expect(new DockerConfigCredentials({ env }).forRegistry('quay.io')).rejects.toThrow('docker-credential-nosuchhelper get: not found on PATH');
  });
});
