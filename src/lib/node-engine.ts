// The Engine on Dawn, for the Node CLI and tests.
import { Engine } from './engine.ts';
import { acquireNodeDevice } from './gpu/node.ts';

export function createNodeEngine(): Engine {
  return new Engine((onLost) => acquireNodeDevice({ onLost }));
}
