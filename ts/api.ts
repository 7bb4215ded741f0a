// Everything the package exports besides createFramekit, shared by the Node/Bun and browser entries.
export { Framekit, type Backend, type FramekitInfo, type FramekitOptions } from './framekit.js';
export { FramekitError, type FramekitErrorCode } from './errors.js';
export { Plane, PIXEL_FORMATS, bytesPerPixel, type PixelFormat, type PlaneLike } from './image/plane.js';
export { Arena, type ArenaStats, type Region } from './memory/arena.js';
export { LAYOUT } from './memory/layout.js';
export { wasmSimdSupported } from './backends/wasm/simd.js';
export type { WasmSource, WasmFile } from './backends/wasm/source.js';
export { grayReference } from './kernels/gray/reference.js';
export { allocPyramid, buildPyramid, pyrDownSize, pyramidBytes, pyramidPlanes } from './kernels/pyrdown/api.js';
export { reserveScratch, KernelContext, type ContextSource } from './core/context.js';
export type { ThresholdType } from './kernels/histogram/api.js';
export type { Interpolation } from './kernels/resize/api.js';
export type { WarpOptions, WarpBorder } from './kernels/warp/api.js';
export { Keypoints } from './features/keypoints.js';
export type { FastOptions } from './kernels/fast/api.js';
export type { GoodFeaturesOptions } from './kernels/corners/api.js';
export { HomographyResult, type HomographyOptions, type HomographyReason } from './kernels/homography/api.js';
export { Pose } from './kernels/pose/api.js';
export { FlowPoints } from './features/flow-points.js';
export { FlowPyramid } from './kernels/lk/pyramid.js';
export type { FlowOptions } from './kernels/lk/api.js';
export { Descriptors } from './features/descriptors.js';
export { Matches } from './features/matches.js';
export type { MatchOptions } from './kernels/match/api.js';
export { OrbPyramid, type OrbOptions } from './kernels/orb/api.js';
export { Frame, ATTACHMENT_KEYS, type AttachmentKey, type FrameAttachments, type SlotView } from './frame/frame.js';
export {
  FramePool,
  type FramePoolOptions,
  type FramePoolStats,
  type FramePoolLayout,
  type ExhaustedPolicy,
  type SlotSpec,
  type SlotType,
} from './frame/pool.js';
export { SharedFrames } from './frame/shared.js';
export { FrameRing, type FrameRingOptions } from './frame/ring.js';
export { SampleRing, type SampleRingLayout } from './frame/sample-ring.js';
export {
  ingest,
  ingestPixels,
  ingestImageData,
  ingestCanvas,
  ingestVideoFrame,
  type ImageDataLike,
  type CanvasLike,
  type VideoFrameLike,
} from './frame/ingest.js';
export {
  Scheduler,
  Level,
  LEVEL_NAMES,
  DEFAULT_RULES,
  ClassPredictor,
  hostYield,
  detectHostKind,
  type SchedulerOptions,
  type TaskOptions,
  type LevelStats,
  type LevelLike,
  type LevelName,
  type ContextRules,
  type HostKind,
  type TaskFn,
  type TaskCallback,
} from './schedule/index.js';
export {
  Pipeline,
  stage,
  ai,
  sink,
  type PipelineOptions,
  type PipelineReport,
  type PipelineFrame,
  type Stage,
  type StageFn,
  type StageOptions,
  type AiOptions,
  type StageReport,
} from './pipeline/index.js';
export { WorkerPool, type WorkerPoolOptions, type WorkerPoolInfo } from './workers/pool.js';
export { Tracker, STAGES as TRACK_STAGES, type TrackerOptions, type TrackResult, type TruthError } from './track/tracker.js';
export { cameraPath, renderFrame, type SyntheticPath, type SyntheticFrame, type CameraPose } from './track/synthetic.js';
export {
  AudioFrame,
  AudioLevel,
  MelColumns,
  SpeechState,
  AUDIO_ATTACHMENT_KEYS,
  type AudioAttachments,
  type AudioAttachmentKey,
  type SpeechAttachment,
  type SpeechSpan,
} from './audio/frame.js';
export { AudioPool, type AudioPoolOptions, type AudioPoolStats } from './audio/pool.js';
export { AudioStream, type AudioStreamOptions } from './audio/stream.js';
export { AvSync, AudioWindow, type AvSyncOptions, type AvSyncReport, type SyncStatus } from './audio/sync.js';
export { EnergySegmenter, type EnergySegmenterOptions, type SpeechSegment } from './audio/energy.js';
export { MelSpectrogram, MelStream, whisperNormalize, type MelOptions } from './kernels/mel/api.js';
export { MEL_HOP, MEL_N_FFT, MEL_SAMPLE_RATE, type MelBands } from './kernels/mel/tables.js';
export { Resampler, type ResamplerOptions } from './kernels/resample/api.js';
