// The rows of docs/reliability.md, in the table's order.
import type { ChaosRow } from '../row.js';
import { authRow } from './auth.js';
import { crashRow } from './crash.js';
import { dataDirRow } from './data-dir.js';
import { diskFullRow } from './disk-full.js';
import { engineRestartRow } from './engine-restart.js';
import { gitOutageRow } from './git-outage.js';
import { hostileRow } from './hostile.js';
import { secretsRow } from './secrets.js';

export const rows: ChaosRow[] = [crashRow, dataDirRow, diskFullRow, gitOutageRow, engineRestartRow, hostileRow, authRow, secretsRow];
