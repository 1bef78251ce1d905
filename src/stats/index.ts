// Statistics in float64 on the CPU (API.md "Statistics"), exposed as `ps.stats`.
export { normCdf, normPpf } from './normal.js';
export { betaInc, betaIncInv } from './beta.js';
export { gammaInc, gammaIncInv } from './gamma.js';
export { clopperPearson, binomTest } from './binomial.js';
export { lgamma, lbeta } from './lgamma.js';
