import { fmtShape } from '../tensor/shape.js';
import { isTensor, type Tensor } from '../tensor/tensor.js';

/** A classifier: a function from images to logits, or a Module whose `forward` is one. */
export type Classifier = ((x: Tensor) => Tensor) | { forward(x: Tensor): Tensor };

/** Calls the classifier and checks that it returned logits [B, C] for a batch of B images. */
export function classify(op: string, classifier: Classifier, x: Tensor): Tensor {
  const logits = typeof classifier === 'function' ? classifier(x) : classifier.forward(x);
  if (!isTensor(logits)) throw new TypeError(`${op}: the classifier must return a Tensor of logits, got ${typeof logits}`);
  const B = x.shape[0]!;
  if (logits.rank !== 2 || logits.shape[0] !== B || logits.dtype !== 'float32') {
    throw new Error(`${op}: the classifier returned ${logits.dtype} ${fmtShape(logits.shape)} for ${B} images; expected float32 logits [${B}, classes]`);
  }
  return logits;
}

export function assertClassifier(op: string, classifier: unknown): asserts classifier is Classifier {
  const ok = typeof classifier === 'function' || (classifier !== null && typeof classifier === 'object' && typeof (classifier as { forward?: unknown }).forward === 'function');
  if (!ok) throw new TypeError(`${op}: classifier must be a function (x) => logits or a Module with forward`);
}

/** Copies int32 labels to the CPU (one small readback), for `checkLabels`. */
export async function readLabels(y: Tensor): Promise<Int32Array> {
  return (await y.data()) as Int32Array;
}

/**
 * Throws (naming the op, the first offending label and its index) unless every label is a class
 * index in [0, classes). Out-of-range labels would otherwise turn the cross-entropy into NaN.
 */
export function checkLabels(op: string, labels: Int32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || v >= classes) throw new RangeError(`${op}: label ${v} at index ${i} is out of range for ${classes} classes`);
  }
}
