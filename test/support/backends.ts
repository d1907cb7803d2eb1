// Runs a suite once per backend: SQLite always, PostgreSQL when configured (or required).
import { needs, requirements } from './env.ts';
import type { Backend } from './context.ts';

export function eachBackend(title: string, fn: (backend: Backend) => void): void {
  for (const backend of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${backend}]`, function () {
      if (backend === 'postgres')
        before(function () {
          needs(this, requirements.postgres);
        });
      fn(backend);
    });
  }
}
