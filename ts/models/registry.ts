/**
 * What this process has loaded: ONNX sessions of the model stages and open tensor files. Each
 * registers when it loads or opens and leaves when disposed or closed, so `loadedModels()` (and
 * `framekit info`) lists exactly what holds memory now.
 */
export interface LoadedModel {
  readonly kind: 'onnx' | 'safetensors';
  readonly name: string;
  /** Size of the model or tensor file in bytes. */
  readonly bytes: number;
  /** Bytes actually read from it so far (an ONNX model is read whole). */
  readonly bytesRead: number;
  /** The ONNX Runtime in use, or how the tensor file is read ('mmap', 'file', 'blob', 'http', 'bytes'). */
  readonly via: string;
  /** Tensor files: tensors in the file, and how many have been read. */
  readonly tensors?: number;
  readonly tensorsLoaded?: number;
}

/** Anything that can report itself while loaded. */
export interface Reports {
  report(): LoadedModel;
}

// Weak references: a file or session dropped without close() is still collected (and leaves the list).
const live = new WeakMap<Reports, WeakRef<Reports>>();
const refs = new Set<WeakRef<Reports>>();

/** Adds a loaded model or open file (called by ModelSession and SafetensorsFile). */
export function trackLoaded(x: Reports): void {
  if (live.has(x)) return;
  const ref = new WeakRef(x);
  refs.add(ref);
  live.set(x, ref);
}

/** Removes it again (on dispose or close). */
export function untrackLoaded(x: Reports): void {
  const ref = live.get(x);
  if (ref) refs.delete(ref);
  live.delete(x);
}

/** The models and tensor files loaded in this process now. Allocates. */
export function loadedModels(): LoadedModel[] {
  const out: LoadedModel[] = [];
  for (const ref of refs) {
    const x = ref.deref();
    if (x) out.push(x.report());
    else refs.delete(ref);
  }
  return out;
}
