// `command:` and `entrypoint:` as a string (split into words as a shell would) or a
// list. Docker's Cmd is `[command, ...args]`, so the first word is the command.
import { describeValue } from '../yaml/values.js';
import type { Path } from './report.js';
import { record, taskPath } from './scope.js';
import type { ServiceScope } from './scope.js';
import { splitShellWords } from './shell-words.js';
import { unreadable } from './values.js';

interface MappedCommand {
  command: string | null;
  args: string[] | null;
}

export function mapCommand(scope: ServiceScope, value: unknown): MappedCommand {
  const path = [...scope.path, 'command'];
  const words = readWords(scope, path, value);
  if (!words) return { command: null, args: null };
  const task = taskPath(scope);
  record(scope, `${task}.args`, path);
  // An empty command clears the image's CMD: no command, no arguments.
  if (words.length === 0) return { command: null, args: [] };
  record(scope, `${task}.command`, path);
  return { command: words[0]!, args: words.slice(1) };
}

export function mapEntrypoint(scope: ServiceScope, value: unknown): string[] | null {
  const path = [...scope.path, 'entrypoint'];
  const words = readWords(scope, path, value);
  if (!words) return null;
  record(scope, `${taskPath(scope)}.entrypoint`, path);
  return words;
}

function readWords(scope: ServiceScope, path: Path, value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === unreadable) return undefined;
  if (typeof value === 'string') {
    const split = splitShellWords(value);
    if ('words' in split) return split.words;
    scope.r.error(path, split.error, { offset: { text: value, index: split.index } });
    return undefined;
  }
  if (Array.isArray(value)) {
    const bad = value.findIndex((word) => typeof word !== 'string');
    if (bad < 0) return value as string[];
    if (value[bad] !== unreadable) scope.r.error([...path, bad], `expected a string, got ${describeValue(value[bad])}`);
    return undefined;
  }
  scope.r.error(path, `expected a string or a list of strings, got ${describeValue(value)}`);
  return undefined;
}
