// Git sources (isomorphic-git): a remote repository cloned and fetched, or a local
// one read in place; each produces revisions (sha + files).
export { GitSource } from './git-source.js';
export type { GitSourceOptions } from './git-source.js';
export { LocalRepositorySource, findGitdir } from './local-source.js';
export type { LocalSourceOptions } from './local-source.js';
