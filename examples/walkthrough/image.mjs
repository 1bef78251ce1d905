// The one image the walk-through perturbs: built-in (procedural), a PNG file, or an MNIST digit.
import * as ps from '../../dist/perturbset.js';

const SIZE = 32;

/** Returns {x: Tensor [1, 3, 32, 32] in [0, 1], label: its synthetic class or null, source: string}. */
export async function loadImage(opts, key) {
  if (opts.image) {
    const png = await ps.io.decodePNG(await ps.io.readFile(opts.image));
    return { x: ps.tensor(ps.io.rgbaToCHW(png, SIZE), [1, 3, SIZE, SIZE]), label: null, source: `${opts.image} (${png.width}x${png.height}, resized to ${SIZE}x${SIZE})` };
  }
  if (opts.mnist) {
    const { test } = await ps.data.loadMNIST(opts.mnist);
    const digit = test.hostImages([opts.index]); // [1, 28, 28] in [0, 1]
    const rgba = new Uint8Array(28 * 28 * 4);
    for (let p = 0; p < 28 * 28; p++) rgba.set([digit[p] * 255, digit[p] * 255, digit[p] * 255, 255], 4 * p);
    const chw = ps.io.rgbaToCHW({ width: 28, height: 28, rgba }, SIZE);
    return { x: ps.tensor(chw, [1, 3, SIZE, SIZE]), label: null, source: `MNIST test digit ${opts.index} (label ${test.labels[opts.index]})` };
  }
  const set = ps.data.synthetic(key, 1, { size: SIZE });
  const { x, y } = set.batch([0]);
  const label = (await y.data())[0];
  y.dispose();
  return { x, label, source: `built-in procedural image (synthetic class ${label})` };
}
