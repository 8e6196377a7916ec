// Loading a PSR Lab model directory from disk in Node: psr_model.json and the adapter it names, or
// an adapter directory given explicitly (--adapter).
import { join } from 'node:path';
import { loadModel, type LoadedModel } from '../lib/model/load-model.ts';
import { NodeFiles } from '../lib/formats/node-files.ts';

export type { LoadedModel };

export function loadModelDir(dir: string, adapterDir?: string): Promise<LoadedModel> {
  return loadModel({ model: new NodeFiles(dir), subfolder: (p) => new NodeFiles(join(dir, p)), adapter: adapterDir ? new NodeFiles(adapterDir) : undefined });
}
