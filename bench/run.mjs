#!/usr/bin/env node
// The benchmark runner (`npm run bench`): runs bench/sections/*.mjs in Node (dawn.node) and the
// portable ones in headless Chromium (SwiftShader) and optionally Deno, then prints one table with
// a column per runtime. Benchmarks import the built bundle dist/perturbset.js (npm run bench
// builds it first); kernel-variant comparisons also use bench/lib/internals.ts, bundled from the
// same sources. Timings are printed, never asserted.
//
//   node bench/run.mjs [--runtime node,chromium,deno|all] [--only matmul,dispatch] [--quick]
//                      [--full] [--dawn <create() option>]... [--backend vulkan|opengles]
//                      [--json results.json]
//
// --full sweeps extra tile shapes; --dawn passes options to webgpu.create() in Node (e.g.
// --dawn enable-dawn-features=disable_robustness); --backend opengles selects Dawn's OpenGL ES
// backend in Node (EGL_PLATFORM=surfaceless is set for it).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'node_modules/.cache/perturbset-bench');
const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const RUNTIME_DEADLINE_MS = 30 * 60 * 1000;

function parseArgs(argv) {
  const opts = { runtimes: ['node', 'chromium'], only: null, quick: false, full: false, dawn: [], backend: null, json: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] = arg.includes('=') && arg.startsWith('--') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (name === '--runtime' || name === '--runtimes') {
      const v = value();
      opts.runtimes = v === 'all' ? ['node', 'chromium', 'deno'] : v.split(',');
    } else if (name === '--only') opts.only = value().split(',');
    else if (name === '--quick') opts.quick = true;
    else if (name === '--full') opts.full = true;
    else if (name === '--dawn') opts.dawn.push(value());
    else if (name === '--backend') opts.backend = value();
    else if (name === '--json') opts.json = value();
    else if (name === '--help' || name === '-h') {
      console.log(readHeader());
      process.exit(0);
    } else throw new Error(`bench: unknown argument ${arg} (see --help)`);
  }
  for (const r of opts.runtimes) if (!['node', 'chromium', 'deno'].includes(r)) throw new Error(`bench: unknown runtime '${r}'`);
  return opts;
}

function readHeader() {
  return 'usage: node bench/run.mjs [--runtime node,chromium,deno|all] [--only <sections>] [--quick] [--full] [--dawn <opt>]... [--backend vulkan|opengles] [--json <file>]';
}

async function loadSections() {
  const dir = join(ROOT, 'bench/sections');
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  const sections = [];
  for (const file of files) sections.push({ file: join(dir, file), module: await import(pathToFileURL(join(dir, file)).href) });
  return sections;
}

async function esbuildBundle(entryPoints, outfile) {
  const esbuild = await import('esbuild');
  const { commonOptions } = await import(pathToFileURL(join(ROOT, 'esbuild.config.mjs')).href);
  await esbuild.build({ ...commonOptions, entryPoints, outfile, sourcemap: false, logLevel: 'error' });
}

function ensureDist() {
  if (!existsSync(join(ROOT, 'dist/perturbset.js'))) {
    throw new Error('bench: dist/perturbset.js is missing; run `npm run bench` (it builds the bundle) or `npm run build`');
  }
}

// ------------------------------------------------------------------------------------------------
// Runtimes
// ------------------------------------------------------------------------------------------------

async function runNode(sections, opts, emit) {
  if (opts.backend === 'opengles') process.env.EGL_PLATFORM ||= 'surfaceless';
  const dawnOptions = [...opts.dawn, ...(opts.backend ? [`backend=${opts.backend}`] : [])];
  const internalsFile = join(CACHE, 'internals.node.js');
  await esbuildBundle([join(ROOT, 'bench/lib/internals.ts')], internalsFile);
  const ps = await import(pathToFileURL(join(ROOT, 'dist/perturbset.js')).href);
  const internals = await import(pathToFileURL(internalsFile).href);
  const { runSections } = await import(pathToFileURL(join(ROOT, 'bench/lib/driver.mjs')).href);
  const init = dawnOptions.length ? { dawnOptions } : {};
  // Dawn's OpenGL ES backend offers only compatibility-mode adapters.
  if (opts.backend === 'opengles') init.adapterOptions = { featureLevel: 'compatibility' };
  const options = { only: opts.only, quick: opts.quick, full: opts.full, init };
  await runSections(
    sections.map((s) => s.module),
    { ps, internals, runtime: 'node', options, emit },
  );
  ps.runtime().destroy();
}

/** One ESM bundle with the portable sections, for a browser page or Deno. */
async function buildPortable(sections, opts, runtime, emitExpr) {
  const portable = sections.filter((s) => s.module.meta.portable);
  const lines = [
    `import * as ps from ${JSON.stringify(join(ROOT, 'dist/perturbset.js'))};`,
    `import * as internals from ${JSON.stringify(join(ROOT, 'bench/lib/internals.ts'))};`,
    `import { runSections } from ${JSON.stringify(join(ROOT, 'bench/lib/driver.mjs'))};`,
    ...portable.map((s, i) => `import * as s${i} from ${JSON.stringify(s.file)};`),
    `const options = ${JSON.stringify({ only: opts.only, quick: opts.quick, full: opts.full })};`,
    `await runSections([${portable.map((_, i) => `s${i}`).join(', ')}], { ps, internals, runtime: ${JSON.stringify(runtime)}, options, emit: ${emitExpr} });`,
  ];
  const dir = join(CACHE, runtime);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, lines.join('\n') + '\n');
  await esbuildBundle([entry], join(dir, 'bench.js'));
  return dir;
}

async function serveDirectory(root) {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
}

async function runChromium(sections, opts, emit) {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)`);
  const dir = await buildPortable(sections, opts, 'chromium', '(event) => globalThis.__perturbsetBench(event)');
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>perturbset bench</title><script type="module" src="bench.js"></script>\n');
  const { default: puppeteer } = await import('puppeteer');
  const server = await serveDirectory(dir);
  let browser;
  try {
    browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, protocolTimeout: RUNTIME_DEADLINE_MS });
    const page = await browser.newPage();
    await new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error('chromium: the benchmark did not finish in time')), RUNTIME_DEADLINE_MS);
      browser.once('disconnected', () => fail(new Error('chromium disconnected (crashed?)')));
      page.on('pageerror', (err) => emit({ type: 'error', section: null, message: `page error: ${err.message}` }));
      page
        .exposeFunction('__perturbsetBench', (event) => {
          emit(event);
          if (event.type === 'done') {
            clearTimeout(timer);
            done();
          }
        })
        .then(() => page.goto(`${server.origin}/index.html`))
        .catch(fail);
    });
  } finally {
    await browser?.close().catch(() => undefined);
    await server.close();
  }
}

async function runDeno(sections, opts, emit) {
  const deno = join(ROOT, 'node_modules/.bin/deno');
  if (!existsSync(deno)) throw new Error(`no Deno at ${deno}: run npm ci (the deno devDependency ships it)`);
  const PREFIX = '@@perturbset-bench ';
  const dir = await buildPortable(sections, opts, 'deno', `(event) => console.log(${JSON.stringify(PREFIX)} + JSON.stringify(event))`);
  await new Promise((done, fail) => {
    const child = spawn(deno, ['run', '--no-prompt', '--no-config', '--no-lock', '--no-npm', '--no-remote', 'bench.js'], {
      cwd: dir,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || '/tmp' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => child.kill(), RUNTIME_DEADLINE_MS);
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith(PREFIX)) emit(JSON.parse(line.slice(PREFIX.length)));
        else if (line.trim()) process.stderr.write(`[deno] ${line}\n`);
      }
    });
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) done();
      else fail(new Error(`deno exited with code ${code}`));
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Report
// ------------------------------------------------------------------------------------------------

function formatValue(row) {
  if (row.value === null || row.value === undefined) return '—';
  const v = row.value;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function printTable(results, runtimes) {
  const sections = new Map();
  for (const runtime of runtimes) {
    for (const event of results[runtime].events) {
      if (event.type === 'section' && !sections.has(event.name)) sections.set(event.name, { title: event.title, cases: new Map() });
      if (event.type !== 'row') continue;
      const s = sections.get(event.section);
      if (!s.cases.has(event.case)) s.cases.set(event.case, {});
      s.cases.get(event.case)[runtime] = event;
    }
  }
  const out = [];
  out.push('perturbset benchmarks');
  for (const runtime of runtimes) {
    const r = results[runtime];
    out.push(`  ${runtime}: ${r.adapter ?? (r.error ? `failed: ${r.error.split('\n')[0]}` : 'no adapter reported')}${r.options ? ` [${r.options}]` : ''} (${r.load})`);
  }
  const caseWidth = Math.max(20, ...[...sections.values()].flatMap((s) => [...s.cases.keys()].map((c) => c.length))) + 2;
  for (const [, s] of sections) {
    out.push('');
    out.push(s.title.padEnd(caseWidth) + runtimes.map((r) => r.padStart(10)).join(''));
    const notes = [];
    for (const [name, cells] of s.cases) {
      let line = `  ${name}`.padEnd(caseWidth);
      for (const runtime of runtimes) {
        const cell = cells[runtime];
        let text = cell ? formatValue(cell) : '';
        if (cell?.note) {
          notes.push(`${name} [${runtime}]: ${cell.note}`);
          text += ` [${notes.length}]`;
        }
        line += text.padStart(10);
      }
      out.push(line);
    }
    for (const [i, note] of notes.entries()) out.push(`    [${i + 1}] ${note}`);
  }
  for (const runtime of runtimes) {
    for (const e of results[runtime].events.filter((ev) => ev.type === 'error')) out.push(`\n${runtime} error${e.section ? ` in ${e.section}` : ''}: ${e.message}`);
  }
  console.log(out.join('\n'));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  ensureDist();
  mkdirSync(CACHE, { recursive: true });
  const sections = await loadSections();
  if (opts.only) {
    const known = sections.map((s) => s.module.meta.name);
    for (const name of opts.only) if (!known.includes(name)) throw new Error(`bench: no section '${name}' (have: ${known.join(', ')})`);
  }
  const results = {};
  for (const runtime of opts.runtimes) {
    const record = { events: [], adapter: null, error: null, options: runtime === 'node' ? [...opts.dawn, ...(opts.backend ? [`backend=${opts.backend}`] : [])].join(' ') : '' };
    results[runtime] = record;
    const emit = (event) => {
      record.events.push(event);
      if (event.type === 'adapter') {
        record.adapter = event.adapter;
        process.stderr.write(`[${runtime}] ${event.adapter}\n`);
      } else if (event.type === 'section') process.stderr.write(`[${runtime}] ${event.title}\n`);
      else if (event.type === 'row') process.stderr.write(`[${runtime}]   ${event.case}: ${formatValue(event)} ${event.unit}${event.note ? ` (${event.note})` : ''}\n`);
      else if (event.type === 'error') process.stderr.write(`[${runtime}] error: ${event.message}\n`);
      else if (event.type === 'log') process.stderr.write(`[${runtime}] ${event.message}\n`);
    };
    const started = performance.now();
    const loadBefore = loadavg()[0];
    try {
      if (runtime === 'node') await runNode(sections, opts, emit);
      else if (runtime === 'chromium') await runChromium(sections, opts, emit);
      else await runDeno(sections, opts, emit);
    } catch (err) {
      record.error = String(err?.message ?? err);
      process.stderr.write(`[${runtime}] failed: ${record.error}\n`);
    }
    record.load = `load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`;
    process.stderr.write(`[${runtime}] ${((performance.now() - started) / 1000).toFixed(0)} s, ${record.load}\n`);
  }
  console.log('');
  printTable(results, opts.runtimes);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 1));
  // dawn.node keeps the process alive while its GPU instance exists.
  process.exit(0);
}

await main();
