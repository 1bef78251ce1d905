/**
 * Finding WebGPU in every runtime: `navigator.gpu` in browsers and Deno, the `webgpu` npm package
 * (Dawn) in Node. On Linux without a GPU, Dawn needs a software Vulkan driver: Mesa lavapipe is
 * preferred; Chromium's SwiftShader ICD is the fallback.
 */

export interface InitOptions {
  /** Use this device as it is (limits are whatever it was created with). */
  device?: GPUDevice;
  /** Use this `GPU` object instead of finding one. */
  gpu?: GPU;
  adapterOptions?: GPURequestAdapterOptions;
  /** Limits to request instead of the adapter's maxima (merged over them). */
  requiredLimits?: Record<string, number>;
  /** Node only: extra strings for `webgpu.create()`, e.g. `['enable-dawn-features=...']`. */
  dawnOptions?: string[];
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** The adapter's subgroup size range (0 when unknown); kernels that use subgroups need it fixed. */
  subgroupMinSize: number;
  subgroupMaxSize: number;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapterInfo: AdapterInfo;
}

/** The limits of the WebGPU spec that a compute library cares about; each is requested at the adapter's maximum. */
const LIMIT_NAMES = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxUniformBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxBindGroups',
  'maxBindingsPerBindGroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

const INSTALL_HINT =
  'On Linux without a GPU, install a software Vulkan driver: Mesa lavapipe 25 ' +
  '(Debian bookworm: add bookworm-backports, then `apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1`), ' +
  "or Debian's `chromium` package, whose SwiftShader driver (/usr/lib/chromium/vk_swiftshader_icd.json) is used as a fallback. " +
  'The script scripts/install-system-deps.sh of this repository installs them.';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface NodeProcess {
  env: Record<string, string | undefined>;
  versions?: { node?: string };
}

function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
}

/** Imports a Node built-in without making the bundle (or its types) depend on Node. */
async function nodeModule<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ name)) as T;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    const fs = await nodeModule<{ existsSync(p: string): boolean }>('node:fs');
    return fs.existsSync(path);
  } catch {
    return false;
  }
}

type DawnCreate = (options: string[]) => GPU;

/** dawn.node aborts the process if a GPU instance is garbage-collected while its devices live. */
const liveDawnInstances: GPU[] = [];

async function loadDawn(): Promise<DawnCreate> {
  let mod: { create?: DawnCreate };
  try {
    mod = await nodeModule<{ create?: DawnCreate }>('webgpu');
  } catch (err) {
    throw new Error(
      'perturbset.init: no WebGPU in this Node process. Install the `webgpu` npm package (Dawn bindings): `npm install webgpu`. ' +
        `(${(err as Error).message})`,
    );
  }
  if (typeof mod.create !== 'function') throw new Error('perturbset.init: the `webgpu` package has no create(); use webgpu >= 0.3');
  return mod.create;
}

/** Node: Dawn with the default Vulkan driver, then SwiftShader's ICD if no adapter appears. */
async function nodeAdapter(proc: NodeProcess, opts: InitOptions): Promise<GPUAdapter> {
  if (!proc.env.XDG_RUNTIME_DIR) {
    const os = await nodeModule<{ tmpdir(): string }>('node:os');
    proc.env.XDG_RUNTIME_DIR = os.tmpdir();
  }
  const create = await loadDawn();
  const gpu = create(opts.dawnOptions ?? []);
  liveDawnInstances.push(gpu);
  const adapter = await gpu.requestAdapter(opts.adapterOptions);
  if (adapter) return adapter;
  if (!proc.env.VK_ICD_FILENAMES && (await fileExists(SWIFTSHADER_ICD))) {
    proc.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const fallbackGpu = create(opts.dawnOptions ?? []);
    liveDawnInstances.push(fallbackGpu);
    const fallback = await fallbackGpu.requestAdapter(opts.adapterOptions);
    if (fallback) return fallback;
  }
  throw new Error(`perturbset.init: Dawn found no WebGPU adapter. ${INSTALL_HINT}`);
}

function requestedLimits(adapter: GPUAdapter, overrides: Record<string, number> | undefined): Record<string, number> {
  const limits: Record<string, number> = {};
  const adapterLimits = adapter.limits as unknown as Record<string, number | undefined>;
  for (const name of LIMIT_NAMES) {
    const value = adapterLimits[name];
    if (typeof value === 'number') limits[name] = value;
  }
  return { ...limits, ...(overrides ?? {}) };
}

function describeAdapter(adapter: GPUAdapter): AdapterInfo {
  return describeInfo((adapter as { info?: GPUAdapterInfo }).info);
}

function describeInfo(info: GPUAdapterInfo | undefined): AdapterInfo {
  const sizes = info as { subgroupMinSize?: number; subgroupMaxSize?: number } | undefined;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description || (info as { device?: string } | undefined)?.device || '',
    subgroupMinSize: sizes?.subgroupMinSize ?? 0,
    subgroupMaxSize: sizes?.subgroupMaxSize ?? 0,
  };
}

export async function acquireDevice(opts: InitOptions = {}): Promise<AcquiredDevice> {
  if (opts.device) return { device: opts.device, adapterInfo: describeInfo((opts.device as { adapterInfo?: GPUAdapterInfo }).adapterInfo) };
  let adapter: GPUAdapter | null = null;
  const gpu = opts.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu) {
    adapter = await gpu.requestAdapter(opts.adapterOptions);
    if (!adapter) throw new Error(`perturbset.init: navigator.gpu returned no adapter. ${INSTALL_HINT}`);
  } else {
    const proc = nodeProcess();
    if (!proc) {
      throw new Error(
        'perturbset.init: this runtime has no WebGPU (navigator.gpu is missing). Use a browser with WebGPU enabled ' +
          '(Chromium: --enable-unsafe-webgpu on Linux), Deno 2, or Node with the `webgpu` package.',
      );
    }
    adapter = await nodeAdapter(proc, opts);
  }
  // 'subgroups' (when offered) lets the matmul kernels share operands across lanes: 2-3x faster on
  // CPU adapters (see src/ops/matmul-kernel.ts). Requesting it changes nothing for other shaders.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('subgroups') ? ['subgroups' as GPUFeatureName] : [];
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits: requestedLimits(adapter, opts.requiredLimits) });
  return { device, adapterInfo: describeAdapter(adapter) };
}

/** A plain-object copy of the limits a device was granted. */
export function grantedLimits(device: GPUDevice): Record<string, number> {
  const out: Record<string, number> = {};
  const limits = device.limits as unknown as Record<string, number | undefined>;
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    if (typeof value === 'number') out[name] = value;
  }
  return out;
}
