// The fast path's entry: documents as values, with a way to locate any path, or
// null when the text needs the `yaml` library (see parser.ts for what it takes on).
import type { YamlPath } from '../document.js';
import { expandedSize, locateFastOffset, toPlain } from './nodes.js';
import { parseFastYaml } from './parser.js';

export interface FastYamlDocument {
  value: unknown;
  /** The offset of a path's value (or key), or of its nearest existing parent. */
  locate(path: YamlPath, part: 'key' | 'value'): number;
}

/** `maxExpandedValues`: a document that expands beyond it is left to the library, which reports it. */
export function readFastYaml(text: string, maxExpandedValues: number): FastYamlDocument[] | null {
  try {
    return parseFastYaml(text).map(({ root, hasAliases }) => {
      if (hasAliases && expandedSize(root) > maxExpandedValues) throw new RangeError('expands too far');
      return { value: toPlain(root), locate: (path, part) => locateFastOffset(root, path, part) };
    });
  } catch {
    // Outside the fast subset, too deep for its recursion, or expanding too far: the library decides, and explains.
    return null;
  }
}
