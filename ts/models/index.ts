// framekit/models: model stages over ONNX Runtime (an optional peer dependency, imported only when
// a stage first runs). A separate entry point, so the core package and its browser bundle never
// carry this code or ONNX Runtime.
export {
  loadOrt,
  type OrtModule,
  type OrtPreference,
  type OrtSession,
  type OrtSessionOptions,
  type OrtTensor,
  type LoadedOrt,
} from './ort.js';
export { readModelBytes, type ModelSource } from './source.js';
export { ModelSession, type ModelInfo, type ModelSessionOptions, type TensorSpec } from './session.js';
export { LatestFrameStage, type ModelFrame, type ModelStageOptions, type ModelStageStats } from './stage.js';
export {
  FaceStage,
  facesOf,
  blazeFaceModelPath,
  BLAZEFACE_PACKAGE,
  type FaceStageOptions,
  type FaceDetections,
  type BlazeFaceVariant,
} from './blazeface/stage.js';
export { decodeFaces, DecodeScratch, KEYPOINTS, type Face, type DecodeOptions } from './blazeface/decode.js';
export { ssdAnchors } from './blazeface/anchors.js';
export {
  VadStage,
  sileroModelPath,
  SILERO_PACKAGE,
  VAD_WINDOW,
  VAD_CONTEXT,
  type VadOptions,
  type VadStats,
  type SpeechResult,
  type AsyncAttachable,
} from './silero/vad.js';
export { SpeechHysteresis, type SpeechSegment, type HysteresisOptions } from './silero/hysteresis.js';
export { workerOrt, type WorkerOrtOptions } from './worker-ort.js';
export { loadedModels, type LoadedModel } from './registry.js';
export { SafetensorsFile, type SafetensorsOptions, type ArenaTensor, type TensorArray } from './safetensors/file.js';
export {
  parseHeader as parseSafetensorsHeader,
  headerLength as safetensorsHeaderLength,
  DTYPE_BITS,
  MAX_HEADER_BYTES,
  type Dtype,
  type HeaderFault,
  type TensorInfo,
  type SafetensorsHeader,
} from './safetensors/header.js';
export {
  openByteSource,
  fileSource,
  mmapSource,
  blobSource,
  httpSource,
  bytesSource,
  canMmap,
  type ByteSource,
  type ByteSourceOptions,
  type ByteInput,
} from './safetensors/source.js';
