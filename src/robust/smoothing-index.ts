export { predict, certify, sampleVotes, ABSTAIN, type PredictOptions, type CertifyOptions, type CertifyResult, type SmoothingOptions } from './smoothing.js';
