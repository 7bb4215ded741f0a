export { Pipeline, type PipelineOptions, type PipelineReport } from './pipeline.js';
export {
  ai,
  sink,
  stage,
  type AiOptions,
  type AiStage,
  type MediaStage,
  type PipelineFrame,
  type Stage,
  type StageFn,
  type StageOptions,
} from './stage.js';
export { StageStats, type StageReport } from './stats.js';
