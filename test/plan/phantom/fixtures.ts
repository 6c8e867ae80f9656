// The job files every phantom property runs over: each scenario fixture
// (fixtures/s*/v*/) and the Nomad variables example, read once.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JobFormat } from '../../../src/model/job.js';

export interface JobFile {
  /** Relative to the repository's fixtures folder, as a tree path: `s1-nomad-rolling/v1/update-demo-webapp.nomad`. */
  path: string;
  format: JobFormat;
  text: string;
}

const root = join(process.cwd(), 'fixtures');

function formatOf(name: string): JobFormat | null {
  if (name.endsWith('.nomad')) return 'nomad';
  if (name === 'docker-compose.yml') return 'compose';
  if (name === 'deployment.yaml') return 'kubernetes';
  return null;
}

function filesIn(folder: string): JobFile[] {
  return readdirSync(join(root, folder))
    .sort()
    .flatMap((name) => {
      const format = formatOf(name);
      const path = `${folder}/${name}`;
      return format && statSync(join(root, path)).isFile() ? [{ path, format, text: readFileSync(join(root, path), 'utf8') }] : [];
    });
}

export const jobFiles: readonly JobFile[] = [
  ...readdirSync(root)
    .filter((scenario) => /^s\d/.test(scenario))
    .sort()
    .flatMap((scenario) => readdirSync(join(root, scenario)).filter((v) => /^v/.test(v)).sort().map((version) => `${scenario}/${version}`))
    .flatMap(filesIn),
  ...filesIn('nomad-variables'),
];

export const jobFilesOf = (format: JobFormat): JobFile[] => jobFiles.filter((f) => f.format === format);
