// src/render's public surface: what other folders may use.
export { RenderCache } from './cache.js';
export type { DiscoveredFile } from './discover.js';
export { explainFile } from './explain.js';
export type { FileExplanation, SettingUse } from './explain.js';
export { jobFileKinds } from './formats.js';
export { unknownKeyHint } from './suggest.js';
export { defaultRenderOptions, renderPath, renderTree } from './tree.js';
export type { PathRenderResult, RenderedJob, SourceTree } from './tree.js';
export type { HostPathPolicy, JobLimits, RenderOptions, SourceFile } from './types.js';
export { defaultJobLimits } from './validate.js';
export { loadYaml } from './yaml/document.js';
