// The engine worker: owns the GPUDevice. Constructs the Engine on navigator.gpu and exposes it.
import * as Comlink from 'comlink';
import { Engine } from '../src/lib/engine.ts';
import { acquireDevice } from '../src/lib/gpu/device.ts';

const engine = new Engine((onLost) => acquireDevice(navigator.gpu, { runtime: 'browser', onLost }));
Comlink.expose(engine);
