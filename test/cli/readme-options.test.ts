// Issue 19.17: the README's command list is what a new admin reads; it missed options that
// exist (--allow-missing-message-authenticator, --coa-port). Every command and every option
// commander knows must be written on that command's line(s) in the README.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildCli } from '../../portal/cli/index.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's "Command line" block: the indented lines starting with `npx foyer`, each with its continuation lines. */
function readmeCommands(): string[] {
  const section = README.split(/^## Command line$/m)[1].split(/^## /m)[0];
  const entries: string[] = [];
  for (const line of section.split('\n')) {
    if (/^ {4}npx foyer /.test(line)) entries.push(line.trim());
    else if (/^ {8}\S/.test(line) && entries.length) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries;
}

function leaves(c: Command, path: string[] = []): { path: string; options: string[] }[] {
  const here = [...path, c.name()];
  if (!c.commands.length)
    return [{ path: here.slice(1).join(' '), options: c.options.map((o) => o.long!).filter(Boolean) }];
  return c.commands.flatMap((sub) => leaves(sub, here));
}

describe('README command line', () => {
  it('names every command and every option the CLI accepts, on that command', () => {
    const entries = readmeCommands();
    assert.ok(entries.length > 5, 'found the README block');
    const missing: string[] = [];
    for (const leaf of leaves(buildCli({ log() {}, err() {} }))) {
      // "nas list | nas remove NAME" and "sessions list [--all] | sessions disconnect ID" document two commands on one line.
      const lines = entries.filter((e) =>
        e.split('|').some((part) => new RegExp(`(^|\\s)(npx foyer )?${leaf.path}( |$)`).test(part.trim())),
      );
      if (!lines.length) {
        missing.push(`${leaf.path} (command)`);
        continue;
      }
      for (const o of leaf.options) if (!lines.some((l) => l.includes(o))) missing.push(`${leaf.path} ${o}`);
    }
    assert.deepEqual(missing, []);
  });
});
