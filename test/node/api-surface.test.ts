/// <reference types="node" />
// The public contract (API.md) against what the built bundle and its type declarations export:
// every name the contract lists exists in dist/perturbset.js with the right kind, and is declared
// in dist/perturbset.d.ts' re-exported types. Outside checks program against these names, so a
// rename that the rest of the suite happens not to exercise through the bundle fails here.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../dist/perturbset.js', import.meta.url));
const TYPES = fileURLToPath(new URL('../../dist/perturbset.d.ts', import.meta.url));

/** API.md, section by section: dotted paths from the `ps` namespace, by kind. */
const FUNCTIONS = [
  // Runtime
  'init', 'memory', 'tidy', 'keep', 'flush',
  // Tensors
  'tensor', 'zeros', 'ones', 'full', 'arange',
  'add', 'sub', 'mul', 'div', 'neg', 'pow', 'sqrt', 'exp', 'log', 'abs', 'relu', 'sigmoid', 'tanh', 'softplus',
  'clamp', 'minimum', 'maximum', 'where',
  'sum', 'mean', 'max', 'min', 'argmax', 'matmul',
  'reshape', 'transpose', 'concat', 'slice', 'flatten',
  'conv2d', 'maxPool2d', 'upsampleNearest', 'linear', 'batchNorm', 'logSoftmax', 'softmax',
  'mseLoss', 'bceLoss', 'crossEntropy', 'klDiagGaussians', 'l2Norm', 'projectL2', 'renorm',
  // Random numbers
  'random.key', 'random.split', 'random.normal', 'random.uniform', 'random.truncatedNormal',
  // Autodiff
  'valueAndGrad', 'grad', 'noGrad', 'nn.valueAndGradParams',
  // Modules, optimizers, checkpoints
  'schedules.piecewiseLinear', 'io.saveSafetensors', 'io.loadSafetensors',
  // Statistics
  'stats.normCdf', 'stats.normPpf', 'stats.betaInc', 'stats.betaIncInv', 'stats.gammaInc', 'stats.gammaIncInv',
  'stats.clopperPearson', 'stats.binomTest',
  // Perturbation sets
  'models.mnistConv', 'models.mnistFc', 'models.cifar10Rectangle', 'models.fromConfig',
  'cvaeLoss', 'trainCVAE', 'selectRadius', 'approximationError', 'expectedApproximationError',
  // Robustness
  'latentPGD', 'trainClassifier', 'evaluateClassifier', 'smoothing.predict', 'smoothing.certify',
  // Data
  'data.loadMNIST', 'data.loadCIFAR10', 'data.loadNpy', 'data.perturb.linf', 'data.perturb.rts', 'data.corrupt',
  'data.synthetic', 'io.imageGrid', 'io.encodePNG',
];

/** Classes: constructed with `new`. */
const CLASSES = [
  'Tensor', 'PerturbationSet',
  'nn.Module', 'nn.Conv2d', 'nn.Linear', 'nn.BatchNorm2d', 'nn.Sequential', 'nn.ReLU', 'nn.Sigmoid', 'nn.ScaledTanh',
  'nn.MaxPool2d', 'nn.UpsamplingNearest2d',
  'optim.Adam', 'optim.SGD',
];

/** Methods the contract names on instances. */
const METHODS: Record<string, string[]> = {
  Tensor: ['data', 'array', 'item', 'dispose'],
  'nn.Module': ['parameters', 'namedParameters', 'stateDict', 'loadStateDict', 'train', 'eval'],
  PerturbationSet: ['generate', 'sample', 'encode', 'interpolate'],
  'optim.Adam': ['step', 'setLr'],
  'optim.SGD': ['step', 'setLr'],
};

function lookup(root: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((obj, name) => (obj == null ? undefined : (obj as Record<string, unknown>)[name]), root);
}

describe('API.md against the built bundle', async () => {
  it('dist/perturbset.js exists (npm test builds it first)', () => {
    expect(existsSync(DIST), `${DIST} is missing: run npm run build`).toBe(true);
  });
  const ps = (await import(/* @vite-ignore */ DIST)) as Record<string, unknown>;

  it('exports every function the contract names', () => {
    const missing = FUNCTIONS.filter((p) => typeof lookup(ps, p) !== 'function');
    expect(missing).toEqual([]);
  });

  it('exports every class the contract names, with its methods', () => {
    const missing = CLASSES.filter((p) => typeof lookup(ps, p) !== 'function' || !(lookup(ps, p) as { prototype?: unknown }).prototype);
    expect(missing).toEqual([]);
    const missingMethods = Object.entries(METHODS).flatMap(([cls, methods]) => {
      const proto = (lookup(ps, cls) as { prototype: Record<string, unknown> }).prototype;
      return methods.filter((m) => typeof proto[m] !== 'function').map((m) => `${cls}.${m}`);
    });
    expect(missingMethods).toEqual([]);
  });

  it('exposes smoothing.ABSTAIN = -1 and the CVAE class the model zoo builds', () => {
    expect(lookup(ps, 'smoothing.ABSTAIN')).toBe(-1);
    const models = ps.models as Record<string, (opts?: unknown) => Record<string, unknown>>;
    // Constructing a model needs a device; check the prototype chain of the class the zoo builds on.
    const cvaeClass = lookup(ps, 'CVAE') as { prototype: Record<string, unknown> } | undefined;
    expect(cvaeClass, 'ps.CVAE (the class models.* construct)').toBeDefined();
    for (const m of ['prior', 'recognition', 'decode', 'forward']) expect(typeof cvaeClass!.prototype[m], `CVAE.${m}`).toBe('function');
    expect(Object.keys(models).length).toBeGreaterThanOrEqual(4);
  });

  it('declares every contract name in dist/perturbset.d.ts (as the TypeScript checker sees it)', () => {
    const program = ts.createProgram([TYPES], { noEmit: true, skipLibCheck: true, types: [] });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(TYPES)!;
    const exportsOf = (symbol: ts.Symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return checker.getExportsOfModule(target);
    };
    const undeclared = [...FUNCTIONS, ...CLASSES].filter((path) => {
      let scope = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!);
      for (const name of path.split('.')) {
        const symbol = scope.find((s) => s.name === name);
        if (!symbol) return true;
        const resolved = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
        scope = resolved.flags & (ts.SymbolFlags.Module | ts.SymbolFlags.ValueModule) ? exportsOf(symbol) : checker.getPropertiesOfType(checker.getTypeOfSymbol(resolved));
      }
      return false;
    });
    expect(undeclared).toEqual([]);
  }, 60_000);
});
