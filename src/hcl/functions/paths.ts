// basename() and dirname() (Nomad's file/ pages): Go's filepath.Base and Dir on
// the text alone, with `/` as the separator. The functions that read files are omitted (README).
import { posix } from 'node:path';
import type { FnSpec } from './args.js';
import { str } from './args.js';

export const pathFunctions: Record<string, FnSpec> = {
  basename: {
    arity: [1, 1],
    fn: ([p], at) => {
      const text = str(p!, at);
      if (text === '') return '.';
      const trimmed = text.replace(/\/+$/, '');
      return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
    },
  },
  dirname: {
    arity: [1, 1],
    fn: ([p], at) => {
      const text = str(p!, at);
      // Go's Dir: everything up to the last separator, cleaned (`.` when nothing is left).
      const dir = text.slice(0, text.lastIndexOf('/') + 1);
      return dir === '' ? '.' : posix.normalize(dir).replace(/(.)\/$/, '$1');
    },
  },
};
