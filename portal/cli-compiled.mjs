// The CLI compiled once into one file, so each `npx foyer …` does not pay for the
// TypeScript loader resolving and transforming some two hundred modules (3-6 s on a
// small machine). Plain JavaScript: it runs before any TypeScript can.
//
// The bundle (.cache/foyer-cli.mjs in the project) is rebuilt when a source under
// portal/ or radius/ is newer than it. Packages stay outside it (node_modules), and each
// module's import.meta.url is its source file's, so templates, guides, migrations and
// RADIUS dictionaries are found where they are. When it cannot be built or written (a
// read-only install), the caller falls back to the TypeScript loader.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['portal', 'radius'].map((d) => join(ROOT, d));
export const BUNDLE = join(ROOT, '.cache', 'foyer-cli.mjs');

function newestSource() {
  let newest = 0;
  for (const dir of SOURCES) {
    for (const f of readdirSync(dir, { recursive: true })) {
      if (!String(f).endsWith('.ts')) continue;
      newest = Math.max(newest, statSync(join(dir, String(f))).mtimeMs);
    }
  }
  return newest;
}

function fresh() {
  try {
    return statSync(BUNDLE).mtimeMs >= newestSource();
  } catch {
    return false;
  }
}

const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

async function compile() {
  const { build } = await import('esbuild');
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  // Written beside and renamed, so a CLI started meanwhile never loads half a file.
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(ROOT, 'portal', 'cli', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: tmp,
    logLevel: 'silent',
    plugins: [ownUrl],
  });
  renameSync(tmp, BUNDLE);
}

/** The compiled CLI module, building it first when a source changed; undefined if that failed. */
export async function compiledCli() {
  if (process.env.FOYER_CLI_COMPILE === 'false') return undefined;
  try {
    if (!fresh()) await compile();
    return await import(pathToFileURL(BUNDLE).href);
  } catch {
    return undefined;
  }
}
