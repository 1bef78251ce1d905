export { saveSafetensors, loadSafetensors, readSafetensors, type SaveSafetensorsOptions, type NamedTensors } from './tensors.js';
export { imageGrid, gridPNG, toImageData, type ImageGrid } from './images.js';
export { encodePNG, type PNGOptions } from './png.js';
export { decodePNG, rgbaToCHW, type DecodedPNG } from './png-decode.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsDtype } from './safetensors.js';
export type { GridOptions } from './grid.js';
export type { HostTensor } from './host-tensor.js';
export { readFile, writeFile } from './files.js';
export { gunzip } from './gzip.js';
