// The GPU suite (test/gpu) in Deno (navigator.gpu on lavapipe): one vitest test per suite test,
// plus checks that Deno started, found an adapter and ran exactly the registered tests.
import { defineRuntimeSuite } from '../harness/define-runtime-suite.js';

await defineRuntimeSuite('deno');
