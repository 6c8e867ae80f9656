// The forges deckhand reports to, one line each: a forge is a folder beside this
// file implementing forge.ts.
import type { Forge } from './forge.js';
import { githubForge } from './github/forge.js';

export const forges: readonly Forge[] = [githubForge];

export type { Forge, ForgeConnection, ExtensionSetting, ForgeSettingProblem, ExtensionSettings, WebhookDelivery, WebhookReader } from './forge.js';
