// `mkdir -p` that always ends: Node's recursive mkdir spins forever where a parent
// refuses new entries with ENOENT (/proc, /sys).
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryError, makeDirectory } from '../../src/util/make-directory.js';

describe('makeDirectory', () => {
  it('makes a folder and its missing parents, and accepts one that exists', () => {
    const base = mkdtempSync(join(tmpdir(), 'deckhand-mkdir-'));
    const deep = join(base, 'a', 'b', 'c');
    makeDirectory(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(deep).mode & 0o777).toBe(0o700);
    expect(() => makeDirectory(deep)).not.toThrow();
  });

  it('fails at once, naming the folder, where the file system allows no new folder', () => {
    // Jest 30 compares an expected error object's cause too; the class and the message are what matter here.
    const attempt = () => makeDirectory('/proc/deckhand-x/state');
    expect(attempt).toThrow(DirectoryError);
    expect(attempt).toThrow('cannot create /proc/deckhand-x (for /proc/deckhand-x/state): this file system does not allow new folders here');
  });

  it('names a file standing where a folder should be', () => {
    const base = mkdtempSync(join(tmpdir(), 'deckhand-mkdir-'));
    writeFileSync(join(base, 'file'), 'x');
    expect(() => makeDirectory(join(base, 'file', 'sub'))).toThrow(`${join(base, 'file', 'sub')}: ${join(base, 'file')} exists and is not a folder`);
  });
});
