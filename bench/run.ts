/**
 * `npm run bench` lists the benchmarks in bench/ with what each measures and how to run it;
 * `npm run bench -- NAME [options]` runs one (options go to the benchmark as they are).
 * A benchmark is a bench/*.ts file whose first doc comment shows its `npx tsx bench/…`
 * command line, so a new one appears here without being registered. Results are recorded
 * by hand in BENCHMARKS.md (DESIGN §5: with the machine, date and command).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Benchmark {
  name: string;
  file: string;
  /** The first sentence of the doc comment. */
  summary: string;
  usage: string;
}

const benchDir = dirname(fileURLToPath(import.meta.url));

/** The doc comment's text without the ` * ` margins, or undefined. */
function docComment(source: string): string | undefined {
  const match = /\/\*\*([\s\S]*?)\*\//.exec(source);
  return match?.[1]?.replace(/^[ \t]*\* ?/gm, '').trim();
}

function benchmarks(): Benchmark[] {
  const found: Benchmark[] = [];
  for (const name of readdirSync(benchDir).sort()) {
    if (!name.endsWith('.ts') || name === basename(fileURLToPath(import.meta.url))) continue;
    const file = join(benchDir, name);
    const doc = docComment(readFileSync(file, 'utf8'));
    const usage = doc && /npx tsx bench\/\S+\.ts.*$/m.exec(doc)?.[0];
    if (!doc || !usage) continue; // a helper module, not a benchmark
    const summary = doc.replace(/\s+/g, ' ').split(/(?<=\.)\s/)[0] ?? '';
    found.push({ name: basename(name, '.ts'), file, summary, usage });
  }
  return found;
}

function list(all: readonly Benchmark[]): void {
  const lines = ['Benchmarks (results and the machine they ran on: BENCHMARKS.md)', ''];
  for (const b of all) lines.push(`  ${b.name}`, `    ${b.summary}`, `    ${b.usage}`, '');
  lines.push(
    'Run one: npm run bench -- NAME [options]   e.g. npm run bench -- balance --evaluations 5',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs a benchmark in its own node process (through tsx), passing its options on. */
function run(bench: Benchmark, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', bench.file, ...args], {
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

const [name, ...args] = process.argv.slice(2);
const all = benchmarks();
if (!name || name === '--help' || name === '-h' || name === 'list') {
  list(all);
} else {
  const bench = all.find((b) => b.name === name);
  if (!bench) {
    process.stderr.write(`no benchmark "${name}"; one of: ${all.map((b) => b.name).join(', ')}\n`);
    process.exitCode = 2;
  } else {
    process.exitCode = await run(bench, args);
  }
}
