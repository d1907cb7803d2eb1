#!/usr/bin/env node
// `npx foyer`: runs portal/cli.ts through tsx's loader.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('./cli.ts');
process.exit(await runCli(process.argv.slice(2)));
