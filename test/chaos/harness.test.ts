// `npm run chaos` is too long for CI; this runs two of its cheaper rows (auth on
// every endpoint, secret scans of every output) through the same code, once, so
// the harness keeps working: both must hold, with no harness error. Needs dist/
// (the rows start bin/deckhand.js), which `npm test` builds first.
import { ChaosContext } from '../../chaos/context.js';
import { runRow } from '../../chaos/row.js';
import type { ChaosRow } from '../../chaos/row.js';
import { authRow } from '../../chaos/rows/auth.js';
import { secretsRow } from '../../chaos/rows/secrets.js';
import { ensureDemoImages } from '../runtime/support.js';

const lines: string[] = [];
const ctx = new ChaosContext(1, (line) => lines.push(line));

beforeAll(() => ensureDemoImages());

afterAll(async () => {
  expect(await ctx.cleanUp()).toEqual([]);
});

async function once(row: ChaosRow) {
  const result = await runRow(row, ctx, { min: 1, max: 1, until: Date.now(), quick: true }, 150_000);
  const failures = await ctx.cleanUp();
  return { ...result, failures };
}

test('auth on every endpoint: every endpoint refuses a missing or wrong token, and nothing is lost', async () => {
  const result = await once(authRow);
  // Three calls per guarded endpoint, at least a dozen endpoints: the route reader found them.
  expect(result.trials).toBeGreaterThan(36);
  expect({ lost: result.lost, unjudged: result.trials - result.held - result.lost, details: result.details, failures: result.failures }).toEqual({ lost: 0, unjudged: 0, details: [], failures: [] });
}, 180_000);

test('secret scans: no secret value in any answer, stream, log, CLI output or pull-request comment', async () => {
  const result = await once(secretsRow);
  expect(result.trials).toBeGreaterThan(15);
  expect({ lost: result.lost, unjudged: result.trials - result.held - result.lost, details: result.details, failures: result.failures }).toEqual({ lost: 0, unjudged: 0, details: [], failures: [] });
}, 180_000);
