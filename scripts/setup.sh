#!/usr/bin/env bash
# Makes a fresh checkout runnable: system packages (scripts/install-system-deps.sh), npm packages
# (npm ci when node_modules is missing or older than package-lock.json) and the bundle (dist/).
# Cheap when everything is already in place; `npm start` and `npm test` call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh >/dev/null

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

newest_source=$(find src shaders esbuild.config.mjs package.json -newer dist/perturbset.js -print -quit 2>/dev/null || echo rebuild)
if [ ! -f dist/perturbset.js ] || [ ! -f dist/perturbset.d.ts ] || [ -n "$newest_source" ]; then
  node esbuild.config.mjs
fi
