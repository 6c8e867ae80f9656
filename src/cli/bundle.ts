// Packs one job file for the agent: the file, the files its rendering read, the
// variables, and only the environment variables it looked up.
import { dirname } from 'node:path';
import { renderPath } from '../render/index.js';
import type { PathRenderResult, RenderOptions } from '../render/index.js';
import type { JobBundle } from '../api/index.js';
import { bundleProblem, recordingEnvironment } from '../api/index.js';
import { treeAroundFile } from '../sync/index.js';
import { CliExit } from './io.js';
import { readConfigSiblings } from './config-siblings.js';


export function bundleJobFile(absoluteFile: string, options: RenderOptions): { bundle: JobBundle; result: PathRenderResult } {
  const { tree, path } = treeAroundFile(absoluteFile);
  readConfigSiblings(tree.files, dirname(absoluteFile), path);
  const env = recordingEnvironment(options.env);
  const result = renderPath(tree, path, { ...options, env: env.env }, true);
  const decoder = new TextDecoder();
  // The tree is read lazily: what it holds now is exactly what rendering read.
  const files = Object.fromEntries([...tree.files.entries()].map(([name, bytes]) => [name, decoder.decode(bytes)]));
  const bundle: JobBundle = { path, rootName: tree.rootName, files, variables: options.vars, varFiles: options.varFiles, env: env.used() };
  // The agent would refuse it with a 413: say so here, naming the file.
  const problem = bundleProblem(bundle);
  if (problem) throw new CliExit(1, `${absoluteFile}: ${problem.message}`);
  return { bundle, result };
}
