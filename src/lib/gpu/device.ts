// Acquire a GPUDevice from any `GPU` (navigator.gpu in a browser or worker, Dawn in Node),
// describe the adapter, and watch device.lost — telling a deliberate destroy() apart from a loss.
import { DeviceLostError, DeviceRequestError, NoAdapterError, WebGpuUnavailableError } from '../errors.ts';

/** The limits PSR Lab relies on, as the adapter reports them. */
export const LIMITS_WE_USE = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export type LimitName = (typeof LIMITS_WE_USE)[number];

export interface GpuInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Sorted feature names of the adapter. */
  features: string[];
  limits: Record<LimitName, number>;
  /** Where the device lives: 'browser' (navigator.gpu) or 'node-dawn'. */
  runtime: 'browser' | 'node-dawn';
  /** True when the adapter is a software rasterizer (SwiftShader), i.e. CPU speed. */
  software: boolean;
}

export interface DeviceHandle {
  adapter: GPUAdapter;
  device: GPUDevice;
  info: GpuInfo;
  /** Resolves when the device is gone: reason 'destroyed' (we asked) or 'lost' (we did not). */
  lost: Promise<{ reason: 'destroyed' | 'lost'; message: string }>;
  /** Deliberate teardown: destroys the device; `lost` resolves with reason 'destroyed'. */
  destroy(): void;
  /** Throws DeviceLostError if the device was lost without us asking. */
  assertAlive(): void;
}

export interface AcquireOptions {
  runtime: GpuInfo['runtime'];
  powerPreference?: GPUPowerPreference;
  /** Raise these limits up to what the adapter offers (never above). Default: the adapter's best for every limit we use. */
  wantLimits?: Partial<Record<LimitName, number>>;
  /** Called once if the device is lost without us asking. */
  onLost?: (err: DeviceLostError) => void;
}

/** Request an adapter and a device; named errors say what the visitor can do instead. */
export async function acquireDevice(gpu: GPU | undefined, opts: AcquireOptions): Promise<DeviceHandle> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'This browser has no WebGPU (navigator.gpu is missing). Use a recent Chrome, Edge or Firefox (Safari 26+), ' +
        'or enable WebGPU in the browser settings; on Linux Chrome may need --enable-unsafe-webgpu.',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new NoAdapterError(
      opts.runtime === 'node-dawn'
        ? 'Dawn found no GPU adapter. On a machine without a GPU install Debian\'s chromium package ' +
            '(apt-get install -y chromium): it ships SwiftShader\'s Vulkan driver, which PSR Lab finds at ' +
            '/usr/lib/chromium/vk_swiftshader_icd.json (or set VK_ICD_FILENAMES to a Vulkan ICD json).'
        : 'WebGPU is present but no GPU adapter is available (the GPU may be blocklisted or WebGPU disabled). ' +
            'Update the graphics driver, enable WebGPU (chrome://flags/#enable-unsafe-webgpu), or try another browser.',
    );
  }
  const requiredLimits: Record<string, number> = {};
  const wants = opts.wantLimits ?? Object.fromEntries(LIMITS_WE_USE.map((n) => [n, Number.MAX_SAFE_INTEGER]));
  for (const [name, want] of Object.entries(wants)) {
    const offered = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof offered === 'number' && typeof want === 'number') requiredLimits[name] = Math.min(want, offered);
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: 'psr-lab device', requiredLimits, requiredFeatures });
  } catch (e) {
    throw new DeviceRequestError(
      `The GPU adapter refused to create a device (${(e as Error).message}). Close other GPU-heavy tabs and reload.`,
      { cause: e },
    );
  }
  const info = describe(adapter, device, opts.runtime);
  let destroying = false;
  let lostReason: DeviceLostError | null = null;
  const lost = device.lost.then((l) => {
    // Only our own destroy() counts as deliberate; anything else (driver reset, GPU process
    // crash, someone else calling device.destroy()) is a loss the user must hear about.
    const deliberate = destroying;
    if (!deliberate) {
      lostReason = new DeviceLostError(
        `The GPU device was lost (${l.message || 'no reason given'}). Reload the page to start a new device; ` +
          'work saved to browser storage is kept.',
      );
      opts.onLost?.(lostReason);
    }
    return { reason: deliberate ? ('destroyed' as const) : ('lost' as const), message: l.message };
  });
  return {
    adapter,
    device,
    info,
    lost,
    destroy() {
      destroying = true;
      device.destroy();
    },
    assertAlive() {
      if (lostReason) throw lostReason;
    },
  };
}

function describe(adapter: GPUAdapter, device: GPUDevice, runtime: GpuInfo['runtime']): GpuInfo {
  const a = adapter.info;
  const limits = {} as Record<LimitName, number>;
  for (const name of LIMITS_WE_USE) limits[name] = (device.limits as unknown as Record<string, number>)[name];
  const text = `${a.vendor} ${a.architecture} ${a.device} ${a.description}`.toLowerCase();
  return {
    vendor: a.vendor,
    architecture: a.architecture,
    device: a.device,
    description: a.description,
    features: [...adapter.features].map(String).sort(),
    limits,
    runtime,
    software: text.includes('swiftshader') || text.includes('llvmpipe') || text.includes('lavapipe'),
  };
}
