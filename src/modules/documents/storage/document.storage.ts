/**
 * Where generated documents (invoices, exports) live. An abstract class rather than an interface so Nest can
 * use it as the injection token; `DiskDocumentStorage` is the first adapter, an object-store one can follow.
 *
 * Keys are relative, slash-separated paths such as `invoices/2026/INV-2026-000042.pdf`.
 */
export abstract class DocumentStorage {
  /**
   * Stores `data` under `key`, replacing any previous document. Readers see either the old document or the
   * complete new one, never a partial write.
   */
  abstract put(key: string, data: Buffer | NodeJS.ReadableStream): Promise<{ bytes: number }>;

  /** A stream of the document, or `null` when there is none under `key`. */
  abstract open(key: string): Promise<NodeJS.ReadableStream | null>;

  abstract exists(key: string): Promise<boolean>;

  /** Deletes the document; removing a missing key is not an error, so retries are safe. */
  abstract remove(key: string): Promise<void>;
}
