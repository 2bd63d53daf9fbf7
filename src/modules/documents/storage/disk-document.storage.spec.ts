import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { DiskDocumentStorage } from './disk-document.storage';

async function readAll(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (!stream) throw new Error('expected a stream, got null');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 2s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe(DiskDocumentStorage.name, () => {
  const key = 'invoices/2026/INV-2026-000042.pdf';
  let root: string;
  let baseDir: string;
  let sut: DiskDocumentStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dispatch-documents-'));
    baseDir = join(root, 'base');
    sut = new DiskDocumentStorage(baseDir);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Names in the key's directory, temp files included. */
  const listTargetDir = () => readdir(join(baseDir, 'invoices/2026')).catch(() => [] as string[]);

  it('stores a buffer, creating directories, and reads it back', async () => {
    await expect(sut.put(key, Buffer.from('%PDF-1.7 hello'))).resolves.toEqual({ bytes: 14 });

    expect(await readFile(join(baseDir, key), 'utf8')).toBe('%PDF-1.7 hello');
    expect(await sut.exists(key)).toBe(true);
    expect(await readAll(await sut.open(key))).toBe('%PDF-1.7 hello');
  });

  it('stores a stream and counts its bytes', async () => {
    const data = Readable.from([Buffer.from('São '), Buffer.from('Paulo'), Buffer.alloc(100_000, 'x')]);

    await expect(sut.put('exports/orders.csv', data)).resolves.toEqual({ bytes: 5 + 5 + 100_000 });
    expect((await stat(join(baseDir, 'exports/orders.csv'))).size).toBe(100_010);
  });

  it('replaces an existing document', async () => {
    await sut.put(key, Buffer.from('v1'));
    await sut.put(key, Readable.from([Buffer.from('v2')]));

    expect(await readAll(await sut.open(key))).toBe('v2');
    expect(await listTargetDir()).toEqual(['INV-2026-000042.pdf']);
  });

  it('reports missing documents as absent rather than failing', async () => {
    expect(await sut.open(key)).toBeNull();
    expect(await sut.exists(key)).toBe(false);
    await expect(sut.remove(key)).resolves.toBeUndefined();
  });

  it('does not treat a directory as a document', async () => {
    await sut.put(key, Buffer.from('x'));

    expect(await sut.exists('invoices/2026')).toBe(false);
    expect(await sut.open('invoices/2026')).toBeNull();
    expect(await sut.exists(`${key}/nested`)).toBe(false);
  });

  it('removes a document', async () => {
    await sut.put(key, Buffer.from('x'));
    await sut.remove(key);

    expect(await sut.exists(key)).toBe(false);
    expect(await sut.open(key)).toBeNull();
  });

  describe('key validation', () => {
    it.each([
      '../escaped.pdf',
      'invoices/../../escaped.pdf',
      '..',
      '/etc/passwd',
      join(tmpdir(), 'escaped.pdf'),
      'invoices\\..\\..\\escaped.pdf',
      'invoices//x.pdf',
      'invoices/./x.pdf',
      'invoices/',
      '',
      'x\0.pdf',
    ])('rejects %p for every operation', async (badKey) => {
      await expect(sut.put(badKey, Buffer.from('x'))).rejects.toThrow(/Invalid document key/);
      await expect(sut.put(badKey, Readable.from([Buffer.from('x')]))).rejects.toThrow(
        /Invalid document key/,
      );
      await expect(sut.open(badKey)).rejects.toThrow(/Invalid document key/);
      await expect(sut.exists(badKey)).rejects.toThrow(/Invalid document key/);
      await expect(sut.remove(badKey)).rejects.toThrow(/Invalid document key/);

      expect(await readdir(root)).toEqual([]); // not even the base directory was created
    });

    it('accepts dots inside names', async () => {
      await sut.put('invoices/..hidden..pdf', Buffer.from('x'));
      expect(await sut.exists('invoices/..hidden..pdf')).toBe(true);
    });
  });

  describe('atomic writes', () => {
    it('never shows a partial document under the final name while a slow stream is written', async () => {
      await sut.put(key, Buffer.from('old version'));
      const source = new PassThrough();
      const put = sut.put(key, source);

      source.write(Buffer.alloc(64 * 1024, 'a'));
      // Wait until the first chunk has reached the temp file, i.e. the write is genuinely half done.
      await waitFor(async () => {
        const temps = (await listTargetDir()).filter((name) => name.endsWith('.tmp'));
        if (temps.length !== 1) return false;
        return (await stat(join(baseDir, 'invoices/2026', temps[0]))).size >= 64 * 1024;
      });

      expect(await readFile(join(baseDir, key), 'utf8')).toBe('old version');
      expect(await readAll(await sut.open(key))).toBe('old version');

      source.end(Buffer.from('b'));
      await expect(put).resolves.toEqual({ bytes: 64 * 1024 + 1 });

      expect((await stat(join(baseDir, key))).size).toBe(64 * 1024 + 1);
      expect(await listTargetDir()).toEqual(['INV-2026-000042.pdf']);
    });

    it('publishes nothing under the final name until a first write completes', async () => {
      const source = new PassThrough();
      const put = sut.put(key, source);

      source.write('partial');
      await waitFor(async () => (await listTargetDir()).length === 1);
      expect(await sut.exists(key)).toBe(false);
      expect(existsSync(join(baseDir, key))).toBe(false);

      source.end();
      await put;
      expect(await readFile(join(baseDir, key), 'utf8')).toBe('partial');
    });

    it('keeps the previous version and leaves no temp file when the source stream fails', async () => {
      await sut.put(key, Buffer.from('old version'));
      const source = new PassThrough();
      const put = sut.put(key, source);

      source.write('half of the new');
      await waitFor(async () => (await listTargetDir()).length === 2);
      source.destroy(new Error('upstream failed'));

      await expect(put).rejects.toThrow('upstream failed');
      expect(await readAll(await sut.open(key))).toBe('old version');
      expect(await listTargetDir()).toEqual(['INV-2026-000042.pdf']);
    });

    it('leaves no temp file when the source fails before its first chunk', async () => {
      const failing = new Readable({
        read() {
          this.destroy(new Error('query failed'));
        },
      });

      await expect(sut.put(key, failing)).rejects.toThrow('query failed');
      expect(await listTargetDir()).toEqual([]);
    });

    it('lets a reader that opened the old version finish it while a new one is renamed in', async () => {
      await sut.put(key, Buffer.alloc(256 * 1024, 'o'));
      const reader = await sut.open(key);

      await sut.put(key, Buffer.alloc(10, 'n'));

      expect(await readAll(reader)).toBe('o'.repeat(256 * 1024));
      expect(await readAll(await sut.open(key))).toBe('n'.repeat(10));
    });
  });
});
