// The Compose / Swarm stack file format: one compose file is one job, each service
// a group of one task. Every problem in the file is a Diagnostic; an exception would
// be a deckhand bug, which the tree's renderFile reports against the file.
import type { FormatRenderer } from '../types.js';
import { renderCompose } from './project.js';

export const composeRenderer: FormatRenderer = {
  format: 'compose',
  render: renderCompose,
};
