// `node --import tsx test/mutation/survivors.ts MODULE`: the surviving and uncovered
// mutants of the last run, one line each, for triage.
import { readFileSync } from 'node:fs';

const name = process.argv[2];
const report = JSON.parse(readFileSync(`reports/mutation/${name}.json`, 'utf8')) as {
  files: Record<
    string,
    {
      source: string;
      mutants: Array<{
        status: string;
        mutatorName: string;
        replacement?: string;
        location: { start: { line: number; column: number } };
      }>;
    }
  >;
};
for (const [file, f] of Object.entries(report.files)) {
  const lines = f.source.split('\n');
  for (const m of f.mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
    const l = m.location.start.line;
    console.log(
      `${m.status} ${file}:${l}:${m.location.start.column} ${m.mutatorName} -> ${JSON.stringify(m.replacement)}\n    ${lines[l - 1].trim()}`,
    );
  }
}
