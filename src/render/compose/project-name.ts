// Compose project names, which deckhand uses as job ids.

/** As compose-go's NormalizeProjectName: lowercase, only a-z 0-9 `_` `-`, not starting with `_` or `-`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** The name of the folder holding a file; `rootName` for a file at the tree's root. */
export function folderName(file: string, rootName: string): string {
  const parts = file.split('/');
  return parts.length >= 2 ? parts[parts.length - 2]! : rootName;
}
