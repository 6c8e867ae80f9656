// `npm run chaos -- [--quick] [--budget MIN] [--seed N] [--only ROW,...] [--out FILE]`.
// Pure: the arguments in, the options or a message naming the bad flag out.

export interface ChaosOptions {
  /** Minutes the whole run may take (the crash row takes what the others leave). */
  budgetMinutes: number;
  quick: boolean;
  seed: number;
  /** Row ids to run; empty: all. */
  only: string[];
  /** Where the report goes. */
  out: string;
}

export const defaultBudgetMinutes = 10;
export const quickBudgetMinutes = 2;

export function parseOptions(args: string[], rowIds: string[], now = Date.now()): { options: ChaosOptions } | { error: string } {
  const options: ChaosOptions = { budgetMinutes: defaultBudgetMinutes, quick: false, seed: now % 1_000_000, only: [], out: 'docs/reliability.md' };
  let budgetSet = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? args[++i];
    switch (flag) {
      case '--quick':
        options.quick = true;
        break;
      case '--budget': {
        const raw = value();
        const minutes = Number(raw);
        if (!raw || !Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) return { error: `--budget: expected minutes between 0 and 1440, got ${JSON.stringify(raw ?? '')}` };
        options.budgetMinutes = minutes;
        budgetSet = true;
        break;
      }
      case '--seed': {
        const raw = value();
        if (!raw || !/^\d{1,9}$/.test(raw)) return { error: `--seed: expected a whole number, got ${JSON.stringify(raw ?? '')}` };
        options.seed = Number(raw);
        break;
      }
      case '--only': {
        const raw = value() ?? '';
        const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = ids.filter((id) => !rowIds.includes(id));
        if (ids.length === 0 || unknown.length > 0) return { error: `--only: expected row ids among ${rowIds.join(', ')}, got ${JSON.stringify(raw)}` };
        options.only = ids;
        break;
      }
      case '--out': {
        const raw = value();
        if (!raw) return { error: '--out: expected a file name' };
        options.out = raw;
        break;
      }
      case '--help':
      case '-h':
        return { error: 'usage: npm run chaos -- [--quick] [--budget MINUTES] [--seed N] [--only ROW,...] [--out FILE]' };
      default:
        return { error: `unknown argument ${JSON.stringify(arg)} (try --help)` };
    }
  }
  if (options.quick && !budgetSet) options.budgetMinutes = quickBudgetMinutes;
  return { options };
}
