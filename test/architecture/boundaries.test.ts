// The architecture's boundaries (issue 17), checked on the project and shown failing on a
// planted violation of each rule. The rules and the owner map: test/architecture/owners.ts;
// the checker: test/architecture/boundaries.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBoundaries, sqlTables, type Rules } from './boundaries.ts';
import { CAPABILITIES, HTTP_PACKAGES, TABLE_OWNERS } from './owners.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RULES: Rules = { owners: TABLE_OWNERS, capabilities: CAPABILITIES, httpPackages: HTTP_PACKAGES };

describe('architecture: boundaries', () => {
  it('holds on this project: owners alone name their tables, radius/ stands alone, capabilities know no HTTP, no import cycles', function () {
    this.timeout(60_000);
    const violations = checkBoundaries(ROOT, RULES);
    assert.deepEqual(
      violations,
      [],
      `Boundary violations (call the owner's function instead; see README "Layout"):\n  ${violations.join('\n  ')}`,
    );
  });

  it("shows in README.md's layout section the same tables under the same folders as the owner map", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const layout = /^## Layout\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    assert.deepEqual(readmeOwners(layout), normalise(TABLE_OWNERS));
  });
});

/** `owns:` lines in the layout, each under the folder named on the line above it. */
function readmeOwners(layout: string): Record<string, string[]> {
  const owners: Record<string, string[]> = {};
  let folder = '';
  for (const line of layout.split('\n')) {
    const owns = /^\s+owns:\s+(.+)$/.exec(line);
    const dir = /^\s+([a-z][a-z-]*)\/\s/.exec(line);
    if (owns) owners[folder] = [...(owners[folder] ?? []), ...owns[1].trim().split(/\s+/)];
    else if (dir) folder = dir[1];
  }
  return normalise(owners);
}

const normalise = (m: Record<string, readonly string[]>): Record<string, string[]> =>
  Object.fromEntries(
    Object.keys(m)
      .sort()
      .map((k) => [k, [...m[k]].sort()]),
  );

describe('architecture: the boundary checker fails on a planted violation of each rule', () => {
  // A small clean tree: two capabilities owning a table each, a route folder, radius/.
  const PLANT_RULES: Rules = {
    owners: { widgets: ['widgets'], gadgets: ['gadgets'] },
    capabilities: ['widgets', 'gadgets'],
    httpPackages: HTTP_PACKAGES,
  };
  const CLEAN: Record<string, string> = {
    'portal/store/migrations/001_start.ts':
      'export default { up: () => [`CREATE TABLE widgets (id TEXT)`, \'create table if not exists "gadgets" (id TEXT)\'] };',
    'portal/widgets/widgets.ts': "export const all = (db: any) => db.all('SELECT * FROM widgets');",
    'portal/gadgets/gadgets.ts':
      "import { all } from '../widgets/widgets.ts';\nexport const both = async (db: any) => [await all(db), await db.all(`select *\n  from gadgets`)];",
    'portal/http/views.ts': 'export const render = () => "";',
    'portal/guest/routes.ts':
      "import Router from '@koa/router';\nimport type { Context } from 'koa';\nimport { render } from '../http/views.ts';\nimport { both } from '../gadgets/gadgets.ts';\n// a comment naming the table: SELECT * FROM widgets\nexport const r = [Router, render, both, 'Pick one from the widgets below'];",
    'radius/server.ts': "import { createSocket } from 'node:dgram';\nexport const s = createSocket;",
  };
  let dir: string;
  const plant = (extra: Record<string, string>, rules = PLANT_RULES): string[] => {
    dir = mkdtempSync(join(tmpdir(), 'foyer-boundaries-'));
    for (const [file, text] of Object.entries({ ...CLEAN, ...extra })) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
    return checkBoundaries(dir, rules);
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the clean tree (a comment, prose and koa in a route folder are no violations)', () => {
    assert.deepEqual(plant({}), []);
  });

  it('fails when a file outside the owner names its table in SQL, in any case, quoted, aliased or in a FROM list', () => {
    const v = plant({
      'portal/gadgets/peek.ts':
        'export const q = (id: string) => `SELECT g.id FROM gadgets g, public."Widgets" AS w WHERE g.id = ${id}`;',
      'portal/guest/write.ts':
        "export const qs = ['insert into widgets (id) values (?)', 'Update GADGETS set id = 1', 'DELETE  FROM\\n widgets', 'SELECT 1 FROM gadgets LEFT JOIN widgets ON 1 = 1'];",
      'portal/widgets/drop.ts': "export const d = 'ALTER TABLE gadgets ADD COLUMN x TEXT';",
    });
    assert.deepEqual(v, [
      'table: portal/gadgets/peek.ts names widgets',
      'table: portal/guest/write.ts names gadgets',
      'table: portal/guest/write.ts names widgets',
      'table: portal/widgets/drop.ts names gadgets',
    ]);
  });

  it('fails when a migration makes a table that has no owner, or the map names a table no migration makes', () => {
    const v = plant(
      { 'portal/store/migrations/002_more.ts': "export default { up: () => ['CREATE TABLE sprockets (id TEXT)'] };" },
      { ...PLANT_RULES, owners: { ...PLANT_RULES.owners, gadgets: ['gadgets', 'ghosts'] } },
    );
    assert.deepEqual(v, ['owner: ghosts is owned but no migration makes it', 'owner: sprockets has no owner']);
  });

  it('fails when radius/ imports anything from portal/, even a type', () => {
    const v = plant({
      'radius/authorize.ts': "import type { all } from '../portal/widgets/widgets.ts';\nexport type A = typeof all;",
      'radius/codec.ts': "export const load = () => import('../portal/http/views.ts');",
    });
    assert.deepEqual(v, [
      'radius: radius/authorize.ts imports portal/widgets/widgets.ts',
      'radius: radius/codec.ts imports portal/http/views.ts',
    ]);
  });

  it('fails when a capability imports koa, @koa/router or portal/http/', () => {
    const v = plant({
      'portal/widgets/web.ts':
        "import type { Context } from 'koa';\nimport Router from '@koa/router';\nexport { render } from '../http/views.ts';\nexport const r = Router;",
    });
    assert.deepEqual(v, [
      'http: portal/widgets/web.ts imports @koa/router',
      'http: portal/widgets/web.ts imports koa',
      'http: portal/widgets/web.ts imports portal/http/views.ts',
    ]);
  });

  it('fails on an import cycle through static imports, re-exports or dynamic import(); a type-only cycle is no cycle', () => {
    const v = plant({
      // gadgets.ts imports widgets.ts already: this closes the loop.
      'portal/widgets/widgets.ts':
        "import { both } from '../gadgets/gadgets.ts';\nexport const all = (db: any) => db.all('SELECT * FROM widgets');\nexport const b = both;",
      'portal/guest/a.ts': "export * from './b.ts';",
      'portal/guest/b.ts': "export const later = () => import('./c.ts');",
      'portal/guest/c.ts': "import './a.ts';",
      'portal/guest/t1.ts': "import type { T2 } from './t2.ts';\nexport type T1 = { t: T2 };",
      'portal/guest/t2.ts': "import { type T1 } from './t1.ts';\nexport type T2 = { t?: T1 };",
    });
    assert.deepEqual(v, [
      'cycle: portal/gadgets/gadgets.ts -> portal/widgets/widgets.ts -> portal/gadgets/gadgets.ts',
      'cycle: portal/guest/a.ts -> portal/guest/b.ts -> portal/guest/c.ts -> portal/guest/a.ts',
    ]);
  });
});

describe('architecture: finding table names in SQL', () => {
  const known = new Set(['grants', 'sessions', 'venues']);
  it('reads FROM lists, JOINs, INTO, UPDATE, DELETE FROM, TABLE and REFERENCES, and nothing else', () => {
    assert.deepEqual(sqlTables('SELECT * FROM grants g JOIN sessions s ON s.grant_id = g.id', known), [
      'grants',
      'sessions',
    ]);
    assert.deepEqual(sqlTables('select 1 from grants as g, sessions, "venues" v where 1', known), [
      'grants',
      'sessions',
      'venues',
    ]);
    assert.deepEqual(
      sqlTables('INSERT INTO venues (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET id = excluded.id', known),
      ['venues'],
    );
    assert.deepEqual(sqlTables('CREATE TABLE x (venue_id TEXT REFERENCES venues(id))', known), ['venues']);
    assert.deepEqual(sqlTables('SELECT grants_total FROM stats WHERE sessions > 0', known), []);
    // Prose is not told from SQL: a message saying "from <table>" counts. Word it otherwise.
    assert.deepEqual(sqlTables('This venue has no grants from sessions', known), ['sessions']);
  });
});
