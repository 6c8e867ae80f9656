// A tiny in-memory tar writer (ustar), enough for a Docker build context of a
// few small files: no dependency on tar-fs, no temporary directory.

export interface TarEntry {
  name: string;
  data: Buffer | string;
  /** Unix permission bits; 0o644 by default. */
  mode?: number;
}

const blockSize = 512;

function writeField(header: Buffer, offset: number, length: number, text: string): void {
  header.write(text, offset, Math.min(length, Buffer.byteLength(text)), 'ascii');
}

/** An octal number padded to `length - 1` digits and a NUL, as tar headers want. */
function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

function headerFor(name: string, size: number, mode: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long: ${name}`);
  const header = Buffer.alloc(blockSize);
  writeField(header, 0, 100, name);
  writeField(header, 100, 8, octal(mode, 8));
  writeField(header, 108, 8, octal(0, 8));
  writeField(header, 116, 8, octal(0, 8));
  writeField(header, 124, 12, octal(size, 12));
  writeField(header, 136, 12, octal(0, 12));
  header.fill(' ', 148, 156); // the checksum counts its own field as spaces
  writeField(header, 156, 1, '0');
  writeField(header, 257, 6, 'ustar\0');
  writeField(header, 263, 2, '00');
  let sum = 0;
  for (const byte of header) sum += byte;
  writeField(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

export function tar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : entry.data;
    parts.push(headerFor(entry.name, data.length, entry.mode ?? 0o644), data);
    const padding = (blockSize - (data.length % blockSize)) % blockSize;
    if (padding) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(blockSize * 2));
  return Buffer.concat(parts);
}
