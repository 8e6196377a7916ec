// Loading a PSR Lab model directory (and an optional adapter directory) from disk in Node.
import { loadModel, type LoadedModel } from '../lib/model/load-model.ts';
import { NodeFiles } from '../lib/formats/node-files.ts';

export type { LoadedModel };

export function loadModelDir(dir: string, adapterDir?: string): Promise<LoadedModel> {
  return loadModel(new NodeFiles(dir), adapterDir ? new NodeFiles(adapterDir) : undefined);
}
