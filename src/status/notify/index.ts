// The notifiers deckhand can send events to, one line each (none yet: the
// operators' issue brings the first). A notifier is a folder beside this file
// implementing notifier.ts.
import type { Notifier } from './notifier.js';

export const notifiers: readonly Notifier[] = [];

export type { Notifier } from './notifier.js';
