// Runs once before the GPU test project: fails the whole run, loudly and with the remedy,
// when Dawn cannot create an adapter. GPU tests are never skipped silently.
import { acquireNodeDevice } from '../../src/lib/gpu/node.ts';

export default async function setup(): Promise<void> {
  let handle;
  try {
    handle = await acquireNodeDevice();
  } catch (e) {
    const err = e as Error;
    throw new Error(
      `\n\nGPU TESTS CANNOT RUN: ${err.name}: ${err.message}\n` +
        'Remedy on Debian/Ubuntu: sudo apt-get install -y chromium libvulkan1 (SwiftShader\'s Vulkan driver and the Vulkan loader), ' +
        'or run on a machine with a GPU and a Vulkan driver.\n',
    );
  }
  const { info } = handle;
  process.stdout.write(`[gpu tests] adapter: ${info.vendor} / ${info.architecture} (${info.description})\n`);
  handle.destroy();
}
