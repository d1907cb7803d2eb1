// `npm run mutate [-- MODULE ...]`: StrykerJS over the modules in modules.ts, one at a
// time (it is slow on two cores), incremental (only changed code and tests are run
// again), one mutant at a time unless STRYKER_CONCURRENCY says otherwise. Prints one
// JSON line per module: killed, survived, timeouts, no coverage and the score.
import { Stryker } from '@stryker-mutator/core';
import { MODULES } from './modules.ts';

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(MODULES);
let failed = false;
for (const name of names) {
  const m = MODULES[name];
  if (!m) throw new Error(`unknown module "${name}"; one of: ${Object.keys(MODULES).join(', ')}`);
  let results: Awaited<ReturnType<Stryker['runMutationTest']>>;
  try {
    results = await new Stryker({
      packageManager: 'npm',
      testRunner: 'mocha',
      plugins: ['@stryker-mutator/mocha-runner'],
      mutate: m.mutate,
      mochaOptions: {
        spec: m.spec,
        'no-config': true,
        'no-package': true,
        'no-opts': true,
        ...(m.skip ? { grep: `^(?!.*${m.skip})` } : {}),
      } as never,
      // The suites are TypeScript run by tsx, as `npm test` runs them.
      testRunnerNodeArgs: ['--import', 'tsx'],
      coverageAnalysis: 'perTest',
      concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
      timeoutMS: 20_000,
      dryRunTimeoutMinutes: 20,
      incremental: true,
      incrementalFile: `reports/mutation/${name}.incremental.json`,
      reporters: ['clear-text', 'json', 'dots'],
      jsonReporter: { fileName: `reports/mutation/${name}.json` },
      clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
      tempDirName: `.stryker-tmp/${name}`,
      cleanTempDir: 'always',
      thresholds: { high: 90, low: 85, break: null },
      ignoreStatic: true,
    }).runMutationTest();
  } catch (err) {
    console.log(JSON.stringify({ mutation: name, error: (err as Error).message }));
    failed = true;
    continue;
  }
  const count = (...s: string[]) => results.filter((r) => s.includes(r.status)).length;
  const killed = count('Killed', 'Timeout');
  const valid = killed + count('Survived', 'NoCoverage');
  const score = valid ? (100 * killed) / valid : 100;
  console.log(
    JSON.stringify({
      mutation: name,
      title: m.title,
      killed,
      survived: count('Survived'),
      no_coverage: count('NoCoverage'),
      timeout: count('Timeout'),
      errors: count('CompileError', 'RuntimeError'),
      score: Math.round(score * 10) / 10,
    }),
  );
  if (score < 85) failed = true;
}
process.exitCode = failed ? 1 : 0;
