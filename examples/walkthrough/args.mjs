// Command-line options of the walk-through (`npm start -- --help`).
export const USAGE = `usage: npm start -- [options]
  --out DIR          write report.json and PNG grids to DIR (default: out/walkthrough)
  --image FILE.png   use this image (resized to 32x32) instead of the built-in one
  --mnist DIR        use an MNIST test digit from the IDX files in DIR ...
  --index N          ... number N (default 0)
  --severity S       corruption severity 1-5 (default 5)
  --steps N          CVAE training steps (default 300, as the blog)
  --seed N           random seed (default 0)
  --quick            a much shorter run (smoke test)
  --help`;

export function parseArgs(argv) {
  const opts = { out: 'out/walkthrough', image: null, mnist: null, index: 0, severity: 5, steps: 300, seed: 0, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--out') opts.out = value();
    else if (a === '--image') opts.image = value();
    else if (a === '--mnist') opts.mnist = value();
    else if (a === '--index') opts.index = Number(value());
    else if (a === '--severity') opts.severity = Number(value());
    else if (a === '--steps') opts.steps = Number(value());
    else if (a === '--seed') opts.seed = Number(value());
    else if (a === '--quick') opts.quick = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (opts.quick) opts.steps = Math.min(opts.steps, 30);
  return opts;
}
