/**
 * `npm run bench -- NAME [--json]`: compiles src and bench (plain ESM, as users run it) and
 * runs bench/NAME, which exports
 * `run(report: Report, args: string[]): Promise<void>`. With --json only the JSON lines print.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Report } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
// Runs compiled (.js, via `npm run bench`) or from source (.ts, via tsx).
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const args = process.argv.slice(2);
const json = args.includes('--json');
const rest = args.filter((a) => a !== '--json');
const name = rest.shift();
const available = readdirSync(here)
  .filter((f) => f.endsWith(ext) && !['run', 'report'].includes(f.slice(0, -3)) && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));

if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME [--json]\n  NAME: ${available.join(', ')}`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(join(here, `${name}${ext}`)).href)) as {
  run(report: Report, args: string[]): Promise<void>;
};
await mod.run(new Report(json), rest);
