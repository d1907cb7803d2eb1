#!/usr/bin/env node
// `npx foyer`: the compiled CLI (cli-compiled.mjs), or portal/cli/index.ts through tsx's
// loader when it cannot be compiled.

// A reader that stops early (`foyer sessions list | head -1`) closes the pipe: that is the
// end of the output, not an error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const { compiledCli } = await import('./cli-compiled.mjs');
let cli = await compiledCli();
if (!cli) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('./cli/index.ts');
}
process.exit(await cli.runCli(process.argv.slice(2)));
