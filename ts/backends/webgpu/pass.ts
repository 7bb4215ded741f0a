/// <reference types="@webgpu/types" />
import { FramekitError, checkDimension } from '../../errors.js';
import type { GpuPool } from './pool.js';
import { WGSL } from './wgsl.generated.js';

/**
 * Workgroup size of every pass, fed to the shaders' `override WG_X, WG_Y` constants; the dispatch
 * counts below come from the same numbers, so nothing is copied by hand between TS and WGSL.
 * 16 x 8 = 128 invocations: WebGPU's compatibility-mode maximum, and a multiple of 32 and 64.
 */
export const WORKGROUP = Object.freeze({ WG_X: 16, WG_Y: 8 });

/**
 * An image on the GPU: a storage buffer of u32 words, each row starting on a word. `gray` planes
 * hold four 8-bit pixels a word; `i16` planes (Sobel) and `u16` planes (FAST scores) two.
 */
export interface GpuPlane {
  readonly where: 'webgpu';
  readonly buffer: GPUBuffer;
  readonly width: number;
  readonly height: number;
  readonly strideWords: number;
  readonly format: 'gray' | 'i16' | 'u16';
}

/** A colour (or gray) plane uploaded as it lies in the arena: `strideBytes` a row, pixels packed. */
export interface GpuUpload {
  readonly buffer: GPUBuffer;
  readonly width: number;
  readonly height: number;
  readonly strideBytes: number;
  readonly format: 'rgba' | 'bgra' | 'rgb' | 'bgr' | 'gray';
}

export const PIXELS_PER_WORD = { gray: 4, i16: 2, u16: 2 } as const;

/** Usage of every plane buffer: written by a pass or uploaded, read by the next, copied out. */
// Spelled as numbers (fixed by the spec): in Node, GPUBufferUsage is a global only once Dawn is loaded.
export const PLANE_USAGE = 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008; /* COPY_DST */

/** Takes a plane buffer from the pool. Allocates (or reuses) GPU memory: call at setup. */
export function gpuPlane(pool: GpuPool, label: string, width: number, height: number, format: GpuPlane['format']): GpuPlane {
  checkDimension(`${label}.width`, width);
  checkDimension(`${label}.height`, height);
  const strideWords = Math.ceil(width / PIXELS_PER_WORD[format]);
  return { where: 'webgpu', buffer: pool.buffer(label, strideWords * height * 4, PLANE_USAGE), width, height, strideWords, format };
}

/** How a shader binds each resource: a uniform or storage buffer, or a sampled 2-D float texture. */
export type Binding = 'uniform' | 'read' | 'write' | 'texture';

const BUFFER_TYPE = { uniform: 'uniform', read: 'read-only-storage', write: 'storage' } as const;

function layoutEntry(b: Binding, binding: number): GPUBindGroupLayoutEntry {
  const visibility = 0x4; // GPUShaderStage.COMPUTE
  return b === 'texture'
    ? { binding, visibility, texture: { sampleType: 'float', viewDimension: '2d' } }
    : { binding, visibility, buffer: { type: BUFFER_TYPE[b] } };
}

/**
 * One compute dispatch with everything fixed at construction: pipeline, bind group and workgroup
 * counts. `encode()` only records.
 */
export class Dispatch {
  constructor(
    readonly label: string,
    readonly pipeline: GPUComputePipeline,
    readonly bindGroup: GPUBindGroup,
    readonly groupsX: number,
    readonly groupsY: number,
  ) {}

  encode(pass: GPUComputePassEncoder): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.dispatchWorkgroups(this.groupsX, this.groupsY);
  }
}

/**
 * Builds a Dispatch of shader `name`'s `entry` over `words` x `rows` invocations, binding
 * `resources` in order with the given access. The labelled layout and the pipeline are made once per
 * shader (the pool keeps them); the bind group once per Dispatch.
 */
export function dispatch(
  pool: GpuPool,
  name: keyof typeof WGSL,
  entry: string,
  bindings: Binding[],
  resources: Array<GPUBuffer | GPUTextureView>,
  words: number,
  rows: number,
): Dispatch {
  const layout = pool.layout(`${name} bindings`, bindings.map(layoutEntry));
  const pipeline = pool.pipeline(name, pool.module(name, WGSL[name]), entry, layout, WORKGROUP);
  const group = pool.bindGroup(`${name}.${entry} ${words}x${rows}`, layout, resources);
  const max = pool.device.limits.maxComputeWorkgroupsPerDimension;
  const gx = Math.ceil(words / WORKGROUP.WG_X);
  const gy = Math.ceil(rows / WORKGROUP.WG_Y);
  if (gx > max || gy > max) {
    throw new FramekitError('E_GPU', `${name}: ${words}x${rows} needs ${gx}x${gy} workgroups; this adapter allows ${max} a dimension`);
  }
  return new Dispatch(`${name}.${entry}`, pipeline, group, gx, gy);
}
