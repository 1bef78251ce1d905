export { Key, key, split, foldIn } from './key.js';
