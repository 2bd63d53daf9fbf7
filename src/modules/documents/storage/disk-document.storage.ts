import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { DocumentStorage } from './document.storage';

// A key segment may not be empty, "." or "..", and may hold neither slash kind nor NUL: this keeps keys
// portable (a backslash is a separator on Windows) and makes traversal impossible before we touch the disk.
const FORBIDDEN_SEGMENTS = new Set(['', '.', '..']);
const FORBIDDEN_CHARS = /[\\\0]/;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Stores documents as files under one base directory. Writes go to a temporary file in the target directory
 * and are renamed into place: rename within one file system is atomic on POSIX, so a concurrent `open` sees
 * the previous file or the complete new one. The temporary file is fsynced before the rename; without it a
 * crash right after the rename can leave an empty file under the final name on some file systems.
 *
 * Symlinks inside the base directory are followed; the directory is ours and nothing here creates them.
 */
export class DiskDocumentStorage extends DocumentStorage {
  private readonly baseDir: string;

  constructor(baseDir: string) {
    super();
    this.baseDir = resolve(baseDir);
  }

  async put(key: string, data: Buffer | NodeJS.ReadableStream): Promise<{ bytes: number }> {
    const target = this.pathFor(key);
    await mkdir(dirname(target), { recursive: true });
    // Hidden and uniquely named, so concurrent puts of one key never share a temp file and the last rename wins.
    const temp = join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
    try {
      const bytes = await this.writeDurably(temp, data);
      await rename(temp, target);
      return { bytes };
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  async open(key: string): Promise<NodeJS.ReadableStream | null> {
    const path = this.pathFor(key);
    // Opening the descriptor first, rather than a lazy createReadStream(path), turns "missing" into null here
    // instead of a later stream error, and pins the file version even if a put renames over it meanwhile.
    const handle = await open(path, 'r').catch((error: unknown) => {
      if (isMissing(error)) return null;
      throw error;
    });
    if (!handle) return null;
    try {
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        return null;
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle.createReadStream(); // autoClose: the stream closes the handle when it ends or is destroyed
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await unlink(this.pathFor(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  private async writeDurably(temp: string, data: Buffer | NodeJS.ReadableStream): Promise<number> {
    // "wx" fails rather than follows a planted file or symlink; flush fsyncs before close (Node >= 20.10).
    if (Buffer.isBuffer(data)) {
      await writeFile(temp, data, { flag: 'wx', flush: true });
      return data.length;
    }
    const out = createWriteStream(temp, { flags: 'wx', flush: true });
    await pipeline(data, out);
    return out.bytesWritten;
  }

  /** Maps a key to a path inside the base directory, or throws for keys that could point elsewhere. */
  private pathFor(key: string): string {
    const segments = key.split('/');
    if (FORBIDDEN_CHARS.test(key) || segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
      throw new Error(
        `Invalid document key ${JSON.stringify(key)}: must be a relative path without "..", "." or empty segments`,
      );
    }
    const path = resolve(this.baseDir, ...segments);
    // Belt and braces: the segment rules above already exclude this, but the check is cheap and catches
    // anything a future relaxation of them lets through (a leading "/" yields an empty first segment).
    const rel = relative(this.baseDir, path);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new Error(`Invalid document key ${JSON.stringify(key)}: escapes the storage directory`);
    }
    return path;
  }
}
