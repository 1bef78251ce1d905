// The public surface of perturbset (see API.md). Nothing but re-exports lives here.
export * as random from './random/index.js';
