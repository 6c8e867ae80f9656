// The demo's example repository: a Git repository on disk holding the seed's
// `update-demo-webapp` job, committed, ready for the agent to follow.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { makeDirectory, packageRoot } from '../util/index.js';

export const demoJobFile = 'jobs/update-demo-webapp.nomad';
/** The demo job's endpoint: one address for its ten allocations, across updates. */
export const demoEndpointPort = 18080;

export interface DemoRepository {
  dir: string;
  /** False when the folder was already a repository: it is used as it is. */
  created: boolean;
}

export async function createDemoRepository(dir: string): Promise<DemoRepository> {
  if (existsSync(join(dir, '.git'))) return { dir, created: false };
  const seed = withEndpoint(readFileSync(join(packageRoot(), 'fixtures', 's1-nomad-rolling', 'v1', 'update-demo-webapp.nomad'), 'utf8'));
  makeDirectory(join(dir, 'jobs'));
  writeFileSync(join(dir, demoJobFile), seed);
  writeFileSync(join(dir, '.gitignore'), '.deckhand/\n');
  await git.init({ fs, dir, defaultBranch: 'main' });
  // So `git commit` works in the demo on a machine where git knows no name yet.
  for (const [path, value] of [['user.name', 'deckhand demo'], ['user.email', 'demo@deckhand.invalid']] as const) {
    await git.setConfig({ fs, dir, path, value });
  }
  for (const filepath of [demoJobFile, '.gitignore']) await git.add({ fs, dir, filepath });
  const author = { name: 'deckhand demo', email: 'demo@deckhand.invalid' };
  await git.commit({ fs, dir, message: 'update-demo-webapp: ten allocations of hashicorp/demo-webapp:v1', author });
  return { dir, created: true };
}

/** The seed's dynamic port made static: under deckhand a static port is an endpoint in front of every allocation. */
function withEndpoint(seed: string): string {
  const fixed = seed.replace('port "http" {}', `port "http" {\n          static = ${demoEndpointPort}\n        }`);
  if (fixed === seed) throw new Error('the demo seed no longer has port "http" {}');
  return fixed.replace('# Seed 000: "update-demo-webapp", ten allocations of a web app on a dynamic port.', `# Seed 000: "update-demo-webapp", ten allocations of a web app, behind one endpoint on port ${demoEndpointPort}.`);
}
