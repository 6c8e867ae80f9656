import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxFileBytes } from '../../src/render/tree.js';
import { readDirectoryTree, treeAroundFile } from '../../src/sync/directory.js';

describe('reading a folder into a tree', () => {
  it('reads job files, small other files, follows links to files, skips .git and node_modules', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deckhand-tree-'));
    mkdirSync(join(root, 'jobs'));
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'node_modules'));
    writeFileSync(join(root, 'jobs', 'web.nomad'), 'job "web" {}\n');
    writeFileSync(join(root, '.env'), 'A=1\n');
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(300 * 1024));
    writeFileSync(join(root, '.git', 'x.nomad'), 'x');
    writeFileSync(join(root, 'node_modules', 'y.nomad'), 'y');
    symlinkSync(join(root, 'jobs', 'web.nomad'), join(root, 'link.nomad'));
    symlinkSync(root, join(root, 'jobs', 'loop'));
    const tree = await readDirectoryTree(root);
    expect([...tree.files.keys()].sort()).toEqual(['.env', 'jobs/web.nomad', 'link.nomad']);
    expect(new TextDecoder().decode(tree.files.get('link.nomad'))).toBe('job "web" {}\n');
  });

  it('skips broken links and links to named pipes, cuts large job files, and keeps walking order', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deckhand-tree-'));
    symlinkSync(join(root, 'gone.nomad'), join(root, 'broken.nomad'));
    execFileSync('mkfifo', [join(root, 'pipe')]);
    symlinkSync(join(root, 'pipe'), join(root, 'pipe.nomad'));
    writeFileSync(join(root, 'huge.nomad'), Buffer.alloc(maxFileBytes + 4096, 0x20));
    const names = Array.from({ length: 100 }, (_, i) => `job-${String(i).padStart(3, '0')}.nomad`);
    for (const name of names) writeFileSync(join(root, name), `job "${name}" {}\n`);
    const tree = await readDirectoryTree(root);
    expect(tree.files.has('broken.nomad')).toBe(false);
    expect(tree.files.has('pipe.nomad')).toBe(false);
    expect(tree.files.get('huge.nomad')!.length).toBe(maxFileBytes + 1);
    const read = [...tree.files.keys()].filter((key) => key.startsWith('job-'));
    // The folder's own order, not the order in which the reads happened to finish.
    expect(read).toEqual(readdirSync(root).filter((name) => name.startsWith('job-')));
    expect(read).toHaveLength(100);
    expect(new TextDecoder().decode(tree.files.get('job-042.nomad'))).toBe('job "job-042.nomad" {}\n');
  });

  it('reads only the file it is given, and others when asked', () => {
    const root = mkdtempSync(join(tmpdir(), 'deckhand-one-'));
    writeFileSync(join(root, 'compose.yml'), 'services: {}\n');
    writeFileSync(join(root, '.env'), 'A=1\n');
    const { tree, path } = treeAroundFile(join(root, 'compose.yml'));
    expect(path).toBe('compose.yml');
    expect([...tree.files.keys()]).toEqual(['compose.yml']);
    expect(tree.files.get('.env')).toBeDefined();
    expect(tree.files.get('../outside')).toBeUndefined();
  });
});
