/// <reference types="@webgpu/types" />
import { FramekitError } from '../../errors.js';
import { withTimeout } from './timeout.js';

/**
 * Whether framekit uses a GPU:
 * - `off`: never looks for one (the default: a GPU is a resource, used only when asked for);
 * - `auto`: uses one if an adapter and a device appear, else runs on WASM and says why in `info()`;
 * - `require`: an E_GPU error when none appears.
 */
export type GpuMode = 'auto' | 'off' | 'require';

/** A device framekit holds, and where it came from. */
export interface GpuContext {
  readonly device: GPUDevice;
  /** A readable name of the adapter, e.g. "nvidia: NVIDIA H100 80GB HBM3 (vulkan)". */
  readonly adapterName: string;
  /** The adapter supports (and the device was given) `timestamp-query`. */
  readonly timestamps: boolean;
  /** How the device was obtained: 'navigator.gpu', 'webgpu' (Dawn, default backend) or 'webgpu opengles'. */
  readonly via: string;
  /**
   * The GPU object and adapter the device came from, held for the device's life: when Dawn's
   * instance is garbage-collected under a live device, the process aborts on the next event-loop
   * turn (seen with webgpu 0.6.2 in Node and Bun: "std::system_error: Invalid argument").
   */
  readonly owner: { gpu: GPU; adapter: GPUAdapter };
}

export type GpuAcquired = { ok: true; gpu: GpuContext } | { ok: false; reason: string };

export interface AcquireOptions {
  /** Milliseconds each of requestAdapter and requestDevice may take (default 10 s). */
  timeoutMs?: number;
  /** Dawn toggles to try in order in Node and Bun (default: the platform's backend, then OpenGL ES). */
  dawnFlags?: string[][];
}

/** Limits the passes need beyond WebGPU's compatibility defaults; asked for up to the adapter's maximum. */
const WANTED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
] as const;

function describe(adapter: GPUAdapter, via: string): string {
  const i = adapter.info;
  const parts = [i.vendor, i.architecture, i.device, i.description].filter((s) => typeof s === 'string' && s.length > 0);
  return `${parts.join(' ') || 'unnamed adapter'} (${via})`;
}

async function deviceFrom(gpu: GPU, via: string, timeoutMs: number): Promise<GpuAcquired> {
  // A core adapter first (Vulkan, Metal, D3D12: no compatibility-mode restrictions), then the
  // compatibility level, which is all OpenGL ES (llvmpipe, older GPUs) offers.
  const adapter =
    (await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, 'requestAdapter')) ??
    (await withTimeout(gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions), timeoutMs, 'requestAdapter'));
  if (!adapter) return { ok: false, reason: `no adapter from ${via}` };
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  const timestamps = adapter.features.has('timestamp-query');
  const device = await withTimeout(
    adapter.requestDevice({ label: 'framekit', requiredLimits, requiredFeatures: timestamps ? ['timestamp-query'] : [] }),
    timeoutMs,
    'requestDevice',
  );
  return { ok: true, gpu: { device, adapterName: describe(adapter, via), timestamps, via, owner: { gpu, adapter } } };
}

/** Dawn for Node and Bun, loaded on demand so that the browser bundle and machines without it still work. */
async function dawn(): Promise<{ create(flags: string[]): GPU; globals: object } | null> {
  try {
    const name = 'webgpu'; // a variable, so that bundlers leave the optional dependency out
    return (await import(name)) as { create(flags: string[]): GPU; globals: object };
  } catch {
    return null;
  }
}

/**
 * Sets a variable in the process's C environment, where Mesa reads it. Node's process.env writes
 * through to it; Bun's does not (measured: Dawn's OpenGL ES adapter appears under Node, not under
 * Bun, after `process.env.EGL_PLATFORM = 'surfaceless'`), so under Bun on Linux libc's setenv is
 * called through bun:ffi. Does not overwrite a value already set.
 */
async function setNativeEnv(name: string, value: string): Promise<void> {
  const g = globalThis as { Bun?: unknown; process?: { platform?: string; env: Record<string, string | undefined> } };
  const env = g.process?.env;
  if (!env || env[name] !== undefined) return;
  env[name] = value;
  if (!g.Bun || g.process?.platform !== 'linux') return;
  try {
    const mod = 'bun:ffi';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ffi: any = await import(mod);
    const libc = ffi.dlopen('libc.so.6', { setenv: { args: ['ptr', 'ptr', 'i32'], returns: 'i32' } });
    const enc = new TextEncoder();
    libc.symbols.setenv(ffi.ptr(enc.encode(`${name}\0`)), ffi.ptr(enc.encode(`${value}\0`)), 0);
    libc.close();
  } catch {
    // no libc.so.6 (musl): the OpenGL ES attempt then fails and says so
  }
}

function headless(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return !!env && !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/**
 * Finds a GPU device: `navigator.gpu` in a browser, else the `webgpu` package (Dawn), trying its
 * default backend (Vulkan, Metal, D3D12) and then OpenGL ES. Never throws: a failure is a reason.
 * Allocates the device and its queue: call once at start.
 */
export async function acquireGpu(o: AcquireOptions = {}): Promise<GpuAcquired> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const reasons: string[] = [];
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  try {
    if (nav?.gpu) return await deviceFrom(nav.gpu, 'navigator.gpu', timeoutMs);
  } catch (e) {
    return { ok: false, reason: `navigator.gpu: ${(e as Error).message}` };
  }
  const mod = await dawn();
  if (!mod) return { ok: false, reason: 'no navigator.gpu, and the optional dependency "webgpu" could not be loaded' };
  // Dawn's WebGPU classes must be globals for its objects' methods (GPUBufferUsage and friends).
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(mod.globals)) if (g[k] === undefined) g[k] = v;
  for (const flags of o.dawnFlags ?? [[], ['backend=opengles']]) {
    const via = flags.length ? `webgpu ${flags.map((f) => f.replace(/^backend=/, '')).join(' ')}` : 'webgpu';
    // Mesa's EGL needs a platform without a display; set only where none is named and none exists.
    if (flags.includes('backend=opengles') && headless()) await setNativeEnv('EGL_PLATFORM', 'surfaceless');
    try {
      const r = await deviceFrom(mod.create(flags), via, timeoutMs);
      if (r.ok) return r;
      reasons.push(r.reason);
    } catch (e) {
      reasons.push(`${via}: ${(e as Error).message}`);
    }
  }
  return { ok: false, reason: reasons.join('; ') };
}

/** acquireGpu for a mode: null for `off` or a failed `auto`, an E_GPU error for a failed `require`. */
export async function gpuForMode(mode: GpuMode, o: AcquireOptions = {}): Promise<{ gpu: GpuContext | null; reason: string | null }> {
  if (mode === 'off') return { gpu: null, reason: 'gpu: "off"' };
  if (mode !== 'auto' && mode !== 'require')
    throw new FramekitError('E_ARGUMENT', `gpu must be "auto", "off" or "require", got ${JSON.stringify(mode)}`);
  const r = await acquireGpu(o);
  if (r.ok) return { gpu: r.gpu, reason: null };
  if (mode === 'require') throw new FramekitError('E_GPU', `gpu: "require", but no WebGPU device: ${r.reason}`, { reason: r.reason });
  return { gpu: null, reason: r.reason };
}
