// Properties: a job file written another way (reordered, commented, respaced, its
// values and defaults spelled differently) is the same job, so a plan against
// allocations that run the original shows nothing to do: no phantom change of the
// kind hashicorp/nomad#8559 complains about. Every fixture and the corpus, each
// format's reformatter, fast-check with a fixed seed (PHANTOM_SEED to change it,
// PHANTOM_RUNS for more runs); a failure prints fast-check's seed and path, the
// shrunk choices ({ seed, length, density }) and the reformatted text.
import fc from 'fast-check';
import type { JobFormat } from '../../../src/model/job.js';
import { Choices, choicesArbitrary } from './choices.js';
import { corpusFiles } from './corpus.js';
import type { JobFile } from './fixtures.js';
import { jobFilesOf } from './fixtures.js';
import type { CheckName } from './phantom.js';
import { checks, renderOriginal } from './phantom.js';
import { reformat, reformatOnce } from './reformat.js';

const seed = Number(process.env.PHANTOM_SEED ?? 8559);
const numRuns = Number(process.env.PHANTOM_RUNS ?? 200);
const formats: JobFormat[] = ['nomad', 'compose', 'kubernetes'];

function filesOf(format: JobFormat): JobFile[] {
  return [...jobFilesOf(format), ...corpusFiles.filter((f) => f.format === format)];
}

describe.each(formats)('a %s file written another way is the same job', (format) => {
  const files = filesOf(format);
  const byPath = new Map(files.map((f) => [f.path, f]));

  it('has fixtures to run over', () => {
    expect(jobFilesOf(format).length).toBeGreaterThan(0);
    for (const file of files) expect(renderOriginal(file).jobs.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => f.path))('%s: printed again with no rewrites, passes every check', (path) => {
    const file = byPath.get(path)!;
    const text = reformat(format, file.text, new Choices([]));
    for (const check of Object.values(checks)) expect(check(file, text)).toBeNull();
  });

  for (const [name, check] of Object.entries(checks) as Array<[CheckName, (file: JobFile, text: string) => string | null]>) {
    it(`property: ${name}`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...byPath.keys()), choicesArbitrary(), (path, spec) => {
          const file = byPath.get(path)!;
          const text = reformatOnce(format, path, file.text, spec);
          const problem = check(file, text);
          if (problem !== null) throw new Error(`${path}: ${problem}\n----- reformatted text -----\n${text}\n----------------------------`);
        }),
        { seed, numRuns },
      );
    });
  }
});

