// src/plan's public surface: what other folders may use.
export type { JobDiff } from './diff.js';
export { planJson } from './format-json.js';
export { formatPlansMarkdown } from './format-markdown.js';
export type { MarkdownError, MarkdownJob } from './format-markdown.js';
export { formatDiffText, formatPlanText } from './format-text.js';
export { liveStateOf } from './live-state.js';
export { planJob } from './plan.js';
export type { JobPlan } from './plan.js';
export { versionDiff } from './redact.js';
