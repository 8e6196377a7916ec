// A fixed 3-row batch that a tiny model can memorise: shared by the CPU and GPU training tests.
import { nextTokenTargets, packBatch } from '../../src/lib/model/batch.ts';
import type { SftExample } from '../../src/lib/train/objectives.ts';

export function memoriseExample(): SftExample {
  const batch = packBatch([[1, 5, 9, 13, 17, 2], [1, 6, 6, 12, 3, 2], [1, 7, 11, 2]], 0, 6);
  const { targets, weights } = nextTokenTargets(batch, () => 1);
  return { batch, targets, weights };
}
