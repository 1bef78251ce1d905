export { CVAE, type Gaussian, type CVAEOutput, type CVAEInfo, type CVAENetworks } from './cvae.js';
export { cvaeLoss, type CVAELoss, type CVAELossOptions } from './loss.js';
export { trainCVAE, type TrainCVAEOptions, type TrainCVAEResult, type TrainProgress } from './train.js';
export { saveCheckpoint, loadCheckpoint, type CheckpointContents, type TrainingPosition } from './checkpoint.js';
export { PerturbationSet, ConditionedSet, repeatBatch, type PerturbationSetOptions } from './perturbation-set.js';
export { selectRadius, latentNorms, quantile } from './radius.js';
export {
  approximationError,
  expectedApproximationError,
  perSampleError,
  randomInBall,
  type ApproximationOptions,
  type ApproximationResult,
  type ExpectedApproximationOptions,
  type ErrorMeasure,
} from './approximation.js';
export { evaluatePerturbationSet, type SetEvaluation, type SetEvaluationOptions } from './evaluate.js';
