// An in-memory checkpoint directory (FileSource + FileSink): tests, and the browser before
// a checkpoint is persisted. Stores the bytes it is given (no copy); read returns them as stored.
import { CheckpointFileError } from '../errors.ts';
import { checkFileName } from './files.ts';
import type { FileSink, FileSource } from './files.ts';

export class MemoryFiles implements FileSource, FileSink {
  readonly files = new Map<string, Uint8Array>();

  async read(name: string): Promise<Uint8Array> {
    checkFileName(name);
    const f = this.files.get(name);
    if (f === undefined) {
      throw new CheckpointFileError(
        `checkpoint file ${name} is missing (have: ${[...this.files.keys()].join(', ') || 'nothing'}); save it first.`,
      );
    }
    return f;
  }

  async exists(name: string): Promise<boolean> {
    checkFileName(name);
    return this.files.has(name);
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    checkFileName(name);
    this.files.set(name, bytes);
  }
}
