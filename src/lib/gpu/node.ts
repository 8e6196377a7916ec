// WebGPU in Node through Dawn (the `webgpu` package). On GPU-less machines Dawn needs a
// Vulkan driver: we point it at SwiftShader from Debian's chromium package when no ICD is set.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDevice, type AcquireOptions, type DeviceHandle } from './device.ts';
import { NoAdapterError } from '../errors.ts';

/** Where Debian's chromium package puts SwiftShader's Vulkan ICD. */
export const SWIFTSHADER_ICD_CANDIDATES = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib64/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

/** Sets VK_ICD_FILENAMES to SwiftShader unless the caller already chose an ICD. Returns the path used, if any. */
export function ensureVulkanIcd(env: NodeJS.ProcessEnv = process.env): string | undefined {
  // The Vulkan loader complains on stderr when XDG_RUNTIME_DIR is unset (as in CI); give it one.
  if (!env.XDG_RUNTIME_DIR) {
    const dir = join(tmpdir(), `psr-lab-xdg-${process.getuid?.() ?? 0}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    env.XDG_RUNTIME_DIR = dir;
  }
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES) return env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
  const found = SWIFTSHADER_ICD_CANDIDATES.find((p) => existsSync(p));
  if (found) env.VK_ICD_FILENAMES = found;
  return found;
}

/** Where a system Vulkan loader (Debian's libvulkan1) lives; Dawn dlopens libvulkan.so.1 from the system paths. */
export const VULKAN_LOADER_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
  '/lib/x86_64-linux-gnu/libvulkan.so.1',
];

let dawn: GPU | undefined;

/** Dawn's GPU object for this process (created once; Dawn instances are heavy). */
export async function nodeGpu(): Promise<GPU> {
  if (dawn) return dawn;
  ensureVulkanIcd();
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals);
  dawn = webgpu.create([]) as GPU;
  return dawn;
}

/** A device on Dawn; NoAdapterError names the package to install when nothing is found. */
export async function acquireNodeDevice(opts: Omit<AcquireOptions, 'runtime'> = {}): Promise<DeviceHandle> {
  const gpu = await nodeGpu();
  try {
    return await acquireDevice(gpu, { ...opts, runtime: 'node-dawn' });
  } catch (e) {
    if (e instanceof NoAdapterError && !existsSync(SWIFTSHADER_ICD_CANDIDATES[0])) {
      throw new NoAdapterError(
        `${e.message} (checked ${SWIFTSHADER_ICD_CANDIDATES.join(', ')}: not found; VK_ICD_FILENAMES=` +
          `${process.env.VK_ICD_FILENAMES ?? 'unset'})`,
      );
    }
    if (e instanceof NoAdapterError && process.platform === 'linux' && !VULKAN_LOADER_CANDIDATES.some((p) => existsSync(p))) {
      // Debian's chromium ships its own libvulkan.so.1 in /usr/lib/chromium, which Dawn does not look in.
      throw new NoAdapterError(
        `${e.message} The Vulkan loader libvulkan.so.1 is missing (checked ${VULKAN_LOADER_CANDIDATES.join(', ')}): ` +
          'install it (Debian/Ubuntu: apt-get install -y libvulkan1).',
      );
    }
    throw e;
  }
}
