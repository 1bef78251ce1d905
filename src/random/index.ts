export { Key, key, split, foldIn } from './key.js';
export { uniform, normal, type NormalOptions } from './sample.js';
export { truncatedNormal, truncatedChiRadii, type TruncatedNormalOptions } from './truncated.js';
