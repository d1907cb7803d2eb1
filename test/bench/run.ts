// `npm run bench [-- NAME ...]`: runs test/bench/NAME.bench.ts (all when no name is given).
// Each bench prints one JSON line per figure through report() in ./report.ts.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const dir = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`unknown bench: ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
// The soak runs for ten minutes: only when asked for by name.
const names = wanted.length ? wanted : all.filter((n) => n !== 'soak');
for (const name of names) {
  console.error(`# bench ${name}`);
  const mod = await import(pathToFileURL(join(dir, `${name}.bench.ts`)).href);
  await mod.default();
}
// A bench that found errors (the soak) set the exit code: keep it.
process.exit(process.exitCode ?? 0);
