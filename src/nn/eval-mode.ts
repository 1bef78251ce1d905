import type { Module } from './module.js';

/**
 * Runs `fn` with the module in eval mode (batch norm on its running statistics, which stay
 * untouched, as the reference's eval.py does) and restores the caller's mode afterwards.
 */
export async function inEvalMode<T>(module: Module, fn: () => Promise<T>): Promise<T> {
  const wasTraining = module.training;
  module.eval();
  try {
    return await fn();
  } finally {
    module.train(wasTraining);
  }
}
