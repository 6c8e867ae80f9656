// The demo's example repository: a Git repository on disk holding the seed's
// `update-demo-webapp` job, committed, ready for the agent to follow.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { makeDirectory, packageRoot } from '../util/index.js';

export const demoJobFile = 'jobs/update-demo-webapp.nomad';

export interface DemoRepository {
  dir: string;
  /** False when the folder was already a repository: it is used as it is. */
  created: boolean;
}

export async function createDemoRepository(dir: string): Promise<DemoRepository> {
  if (existsSync(join(dir, '.git'))) return { dir, created: false };
  const seed = readFileSync(join(packageRoot(), 'fixtures', 's1-nomad-rolling', 'v1', 'update-demo-webapp.nomad'), 'utf8');
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
