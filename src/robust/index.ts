export { latentPGD, type LatentPGDOptions, type LatentPGDResult } from './attack.js';
export { trainClassifier, type TrainClassifierOptions, type ClassifierProgress, type LabeledSource, type Augment } from './train.js';
export { evaluateClassifier, type EvaluateOptions, type EvaluateResult } from './evaluate.js';
export type { Classifier } from './classifier.js';
