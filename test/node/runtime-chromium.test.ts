// The GPU suite (test/gpu) in headless Chromium, SwiftShader adapter: one vitest test per suite test,
// plus checks that Chromium started, found an adapter and ran exactly the registered tests.
import { defineRuntimeSuite } from '../harness/define-runtime-suite.js';

await defineRuntimeSuite('chromium');
