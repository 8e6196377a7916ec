// Where checkpoint files come from and go to: a FileSource / FileSink over plain file names, so
// the same loaders run in Node (node-files.ts), the browser (fetch-files.ts) and tests
// (memory-files.ts). Names are checked: no directories, no "..".
import { CheckpointFileError } from '../errors.ts';

/** Read side of a checkpoint directory. `read` throws CheckpointFileError when the file is missing. */
export interface FileSource {
  read(name: string): Promise<Uint8Array>;
  exists(name: string): Promise<boolean>;
}

/** Write side of a checkpoint directory. */
export interface FileSink {
  write(name: string, bytes: Uint8Array): Promise<void>;
}

/** Throw unless `name` is a plain file name (no directories, no "..", no control characters). */
export function checkFileName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name === '.' || name === '..' || /[/\\\x00-\x1f]/.test(name) || name.length > 255) {
    throw new CheckpointFileError(
      `file name ${JSON.stringify(name)} is not a plain file name inside the checkpoint directory; ` +
        'checkpoint files (and shard names in model.safetensors.index.json) must not contain "/", "\\" or "..".',
    );
  }
}
