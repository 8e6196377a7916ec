// A checkpoint directory on disk for Node (CLI, tests): FileSource + FileSink over node:fs/promises.
// Names are plain file names inside `dir`; writes go to a temp file then rename, so a crash
// never leaves a half-written checkpoint file behind.
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointFileError } from '../errors.ts';
import { checkFileName } from './files.ts';
import type { FileSink, FileSource } from './files.ts';

export class NodeFiles implements FileSource, FileSink {
  constructor(readonly dir: string) {}

  async read(name: string): Promise<Uint8Array> {
    checkFileName(name);
    const path = join(this.dir, name);
    try {
      const buf = await readFile(path);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new CheckpointFileError(
        code === 'ENOENT'
          ? `checkpoint file ${path} does not exist; check the directory (it should hold config.json and model.safetensors).`
          : `cannot read checkpoint file ${path} (${code ?? String(err)}); check its permissions.`,
        { cause: err },
      );
    }
  }

  async exists(name: string): Promise<boolean> {
    checkFileName(name);
    try {
      return (await stat(join(this.dir, name))).isFile();
    } catch {
      return false;
    }
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    checkFileName(name);
    const path = join(this.dir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    } catch (err) {
      throw new CheckpointFileError(
        `cannot write checkpoint file ${path} (${(err as { code?: string }).code ?? String(err)}); ` +
          'check the directory is writable and the disk has space.',
        { cause: err },
      );
    }
  }
}
