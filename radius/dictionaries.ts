// Loads Foyer's vendor dictionaries into the `radius` package exactly once per
// process: decoding names vendor attributes only if they were loaded before the
// first packet, and loading per packet would cost a file read each time.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DICTIONARY_DIR = join(dirname(fileURLToPath(import.meta.url)), 'dictionaries');

/** Our shipped dictionary files, sorted so load order (and name clashes) never depend on the file system. */
export function dictionaryFiles(): string[] {
  return readdirSync(DICTIONARY_DIR)
    .filter((f) => f.startsWith('dictionary.'))
    .sort()
    .map((f) => join(DICTIONARY_DIR, f));
}
