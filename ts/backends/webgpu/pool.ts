/// <reference types="@webgpu/types" />
import { FramekitError } from '../../errors.js';

/** How many GPU objects a pool has created over its life: a steady frame loop adds none. */
export interface GpuPoolStats {
  buffers: number;
  textures: number;
  bindGroups: number;
  pipelines: number;
  shaderModules: number;
  /** Buffers handed out now, and bytes they hold. */
  buffersInUse: number;
  bytesInUse: number;
}

/** Buffer sizes are rounded up to this, so that planes of nearly the same size share buffers. */
const SIZE_STEP = 256;

/**
 * Every GPU object framekit creates goes through one pool. Buffers are keyed by size and usage:
 * `buffer()` hands out a released buffer of that key, or creates one; `release()` gives it back.
 * Pipelines, layouts and shader modules are created once per key and kept. Passes and chains take
 * what they need in their constructors, at start, so the frame loop creates nothing; `stats()`
 * lets a test prove it.
 */
export class GpuPool {
  readonly #free = new Map<string, GPUBuffer[]>();
  readonly #keyOf = new WeakMap<GPUBuffer, string>();
  readonly #cache = new Map<string, GPUComputePipeline | GPUBindGroupLayout | GPUShaderModule>();
  readonly #stats: GpuPoolStats = {
    buffers: 0,
    textures: 0,
    bindGroups: 0,
    pipelines: 0,
    shaderModules: 0,
    buffersInUse: 0,
    bytesInUse: 0,
  };

  constructor(readonly device: GPUDevice) {}

  stats(): GpuPoolStats {
    return { ...this.#stats };
  }

  /** A buffer of at least `size` bytes with exactly `usage`; throws E_GPU past the device's limits. */
  buffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const bytes = Math.ceil(Math.max(size, 4) / SIZE_STEP) * SIZE_STEP;
    const limits = this.device.limits;
    const storage = (usage & 0x0080) /* STORAGE */ !== 0;
    if (bytes > limits.maxBufferSize || (storage && bytes > limits.maxStorageBufferBindingSize)) {
      throw new FramekitError('E_GPU', `${label}: ${bytes} bytes exceeds this adapter's buffer limits`, {
        bytes,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      });
    }
    const key = `${bytes}:${usage}`;
    let b = this.#free.get(key)?.pop();
    if (!b) {
      b = this.device.createBuffer({ label, size: bytes, usage });
      this.#keyOf.set(b, key);
      this.#stats.buffers++;
    }
    this.#stats.buffersInUse++;
    this.#stats.bytesInUse += bytes;
    return b;
  }

  release(b: GPUBuffer): void {
    const key = this.#keyOf.get(b);
    if (!key) throw new FramekitError('E_STATE', `buffer ${b.label} does not come from this pool`);
    let list = this.#free.get(key);
    if (!list) this.#free.set(key, (list = []));
    if (list.includes(b)) throw new FramekitError('E_STATE', `buffer ${b.label} released twice`);
    list.push(b);
    this.#stats.buffersInUse--;
    this.#stats.bytesInUse -= b.size;
  }

  /** A uniform buffer holding `words`, written once now. */
  uniform(label: string, words: Uint32Array<ArrayBuffer> | Int32Array<ArrayBuffer>): GPUBuffer {
    const b = this.buffer(label, words.byteLength, 0x0040 /* UNIFORM */ | 0x0008 /* COPY_DST */);
    this.device.queue.writeBuffer(b, 0, words);
    return b;
  }

  /**
   * A 2-D texture, created now (textures are per chain, not shared: one a frame source). Throws
   * E_GPU past the device's size limit. Call at setup; `destroy()` it with its owner.
   */
  texture(label: string, width: number, height: number, format: GPUTextureFormat, usage: GPUTextureUsageFlags): GPUTexture {
    const max = this.device.limits.maxTextureDimension2D;
    if (width > max || height > max) {
      throw new FramekitError('E_GPU', `${label}: ${width}x${height} exceeds this adapter's ${max}-pixel texture limit`, {
        width,
        height,
        max,
      });
    }
    this.#stats.textures++;
    return this.device.createTexture({ label, size: [width, height], format, usage });
  }

  /** A bind group of buffers and texture views, bound in order from binding 0. */
  bindGroup(label: string, layout: GPUBindGroupLayout, resources: Array<GPUBuffer | GPUTextureView>): GPUBindGroup {
    this.#stats.bindGroups++;
    const entries = resources.map((r, binding) => ({ binding, resource: 'mapAsync' in r ? { buffer: r } : r }));
    return this.device.createBindGroup({ label, layout, entries });
  }

  #cached<T extends GPUComputePipeline | GPUBindGroupLayout | GPUShaderModule>(key: string, make: () => T): T {
    let v = this.#cache.get(key) as T | undefined;
    if (!v) this.#cache.set(key, (v = make()));
    return v;
  }

  /** The shader module for `code`, compiled once per name. */
  module(name: string, code: string): GPUShaderModule {
    return this.#cached(`module:${name}`, () => {
      this.#stats.shaderModules++;
      return this.device.createShaderModule({ label: name, code });
    });
  }

  layout(label: string, entries: GPUBindGroupLayoutEntry[]): GPUBindGroupLayout {
    return this.#cached(`layout:${label}`, () => this.device.createBindGroupLayout({ label, entries }));
  }

  /** A compute pipeline, created once per (label, entry point, constants). */
  pipeline(
    label: string,
    module: GPUShaderModule,
    entryPoint: string,
    layout: GPUBindGroupLayout,
    constants: Record<string, number>,
  ): GPUComputePipeline {
    return this.#cached(`pipeline:${label}:${entryPoint}:${JSON.stringify(constants)}`, () => {
      this.#stats.pipelines++;
      return this.device.createComputePipeline({
        label: `${label}.${entryPoint}`,
        layout: this.device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint, constants },
      });
    });
  }
}
