// The architecture's rules as a checker over a source tree (the project, or a planted
// fixture in a temp folder): every table named in SQL only by its owner's files, radius/
// independent of portal/, capabilities free of HTTP, no import cycles. Files are read with
// TypeScript's own parser, so comments never count and every kind of import is seen.
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface Rules {
  /** folder under portal/ -> the tables it owns */
  owners: Record<string, readonly string[]>;
  /** folders under portal/ that may not import HTTP */
  capabilities: readonly string[];
  /** package names that are HTTP */
  httpPackages: RegExp;
}

export interface ImportRef {
  /** the specifier as written */
  spec: string;
  /** the imported file relative to the root, for a relative specifier that resolves */
  target?: string;
  /** erased before the module runs: `import type`, or every name marked `type` */
  typeOnly: boolean;
}

export interface SourceFacts {
  imports: ImportRef[];
  /** tables (known to the checker) that the file's string and template literals name in SQL */
  tables: Set<string>;
}

const SOURCE = /\.(ts|mts|mjs|js)$/;

/** Every source file under portal/ and radius/, relative to root, with forward slashes. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (SOURCE.test(name)) out.push(rel(root, p));
    }
  };
  for (const top of ['portal', 'radius']) if (existsSync(join(root, top))) walk(join(root, top));
  return out;
}

const rel = (root: string, p: string) => relative(root, p).split(sep).join('/');

/** Tables the migrations create (and store/migrate.ts, which makes its own two first). */
export function migrationTables(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const files = sourceFiles(root).filter(
    (f) => f.startsWith('portal/store/migrations/') || f === 'portal/store/migrate.ts',
  );
  for (const f of files) {
    for (const text of literals(parse(root, f))) {
      for (const m of text.matchAll(/\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_]*)"?/gi)) {
        const table = m[1].toLowerCase();
        if (!found.has(table)) found.set(table, f);
      }
    }
  }
  return found;
}

function parse(root: string, file: string): ts.SourceFile {
  const kind = /\.(mjs|js)$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  return ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, false, kind);
}

/** The text of every string and template literal; a template's ${…} parts become a blank gap. */
function literals(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
    else if (ts.isTemplateExpression(node))
      out.push([node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' \u0000 '));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

// A word that follows a table name in a FROM list and is no alias.
const CLAUSE_WORDS = new Set(
  'where join left right inner outer full cross natural on using group order limit offset union having window returning set values for except intersect as'.split(
    ' ',
  ),
);
const NAME = /^\s*(?:only\s+)?(?:if\s+(?:not\s+)?exists\s+)?"?([a-z_][a-z0-9_$]*)"?(?:\."?([a-z_][a-z0-9_$]*)"?)?/i;
const SQL_KEYWORD = /\b(delete\s+from|from|join|into|update|table|truncate|references)\s/gi;

/**
 * Table names that a piece of SQL reads or writes: after FROM (with comma-separated lists
 * and aliases), JOIN, INTO, UPDATE, DELETE FROM, TABLE (CREATE/ALTER/DROP), TRUNCATE and
 * REFERENCES, in any case, quoted or schema-qualified. Only names in `known` are returned,
 * so words after "from" in prose that is no table are left alone.
 */
export function sqlTables(text: string, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SQL_KEYWORD)) {
    let rest = text.slice(m.index! + m[0].length - 1);
    const list = m[1].toLowerCase() === 'from';
    for (;;) {
      const n = NAME.exec(rest);
      if (!n) break;
      const table = (n[2] ?? n[1]).toLowerCase();
      if (known.has(table)) out.push(table);
      rest = rest.slice(n[0].length);
      if (!list) break;
      // FROM a x, b AS y, c: skip an alias, go on after a comma.
      const alias = /^\s+(?:as\s+)?([a-z_][a-z0-9_]*)/i.exec(rest);
      if (alias && !CLAUSE_WORDS.has(alias[1].toLowerCase())) rest = rest.slice(alias[0].length);
      const comma = /^\s*,/.exec(rest);
      if (!comma) break;
      rest = rest.slice(comma[0].length);
    }
  }
  return out;
}

/** The imports of one file: static, re-exports, `import x = require()`, dynamic import('…'). */
function importsOf(root: string, file: string, sf: ts.SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  const add = (specNode: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specNode || !ts.isStringLiteralLike(specNode)) return; // import(`./x/${name}`): not resolvable here
    const spec = specNode.text;
    out.push({ spec, typeOnly, target: spec.startsWith('.') ? resolveImport(root, file, spec) : undefined });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      // `import { type A, type B } from` is erased whole; `import { type A } from` with no value import too.
      const typeOnly =
        !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function resolveImport(root: string, file: string, spec: string): string | undefined {
  const base = resolve(root, dirname(file), spec);
  for (const p of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(p) && statSync(p).isFile()) return rel(root, p);
  }
  return undefined;
}

export function readFacts(root: string, files: string[], known: ReadonlySet<string>): Map<string, SourceFacts> {
  const facts = new Map<string, SourceFacts>();
  for (const f of files) {
    const sf = parse(root, f);
    const tables = new Set<string>();
    for (const text of literals(sf)) for (const t of sqlTables(text, known)) tables.add(t);
    facts.set(f, { imports: importsOf(root, f, sf), tables });
  }
  return facts;
}

const folderOf = (file: string) => /^portal\/([^/]+)\//.exec(file)?.[1];

/**
 * Every violation under root, one line each, in a form an allow-list can name exactly:
 *   table: <file> names <table>            (SQL on a table the file's folder does not own)
 *   owner: <table> has no owner            (a migration made it; the map does not say whose it is)
 *   owner: <table> is owned but no migration makes it
 *   radius: <file> imports <target>        (radius/ reaching into portal/)
 *   http: <file> imports <spec or target>  (a capability importing koa or portal/http/)
 *   cycle: <file> -> <file> -> ... -> <file>   (one cycle per strongly connected group)
 */
export function checkBoundaries(root: string, rules: Rules): string[] {
  const created = migrationTables(root);
  const owner = new Map<string, string>();
  const v: string[] = [];
  for (const [folder, tables] of Object.entries(rules.owners)) {
    for (const t of tables) {
      if (owner.has(t)) v.push(`owner: ${t} has two owners, ${owner.get(t)} and ${folder}`);
      owner.set(t, folder);
      if (!created.has(t)) v.push(`owner: ${t} is owned but no migration makes it`);
    }
  }
  for (const t of created.keys()) if (!owner.has(t)) v.push(`owner: ${t} has no owner`);

  const files = sourceFiles(root);
  const facts = readFacts(root, files, new Set([...created.keys(), ...owner.keys()]));
  for (const [file, f] of facts) {
    // Rule 1: only the owner (and the migrations) name a table in SQL.
    if (!file.startsWith('portal/store/migrations/')) {
      for (const t of [...f.tables].sort()) {
        const o = owner.get(t);
        if (o === undefined || folderOf(file) !== o) v.push(`table: ${file} names ${t}`);
      }
    }
    for (const i of f.imports) {
      // Rule 2: radius/ knows nothing of portal/ (not even its types).
      if (file.startsWith('radius/') && i.target?.startsWith('portal/')) v.push(`radius: ${file} imports ${i.target}`);
      // Rule 3: capabilities know nothing of HTTP (a koa type is knowing it too).
      const folder = folderOf(file);
      if (folder && rules.capabilities.includes(folder)) {
        if (rules.httpPackages.test(i.spec)) v.push(`http: ${file} imports ${i.spec}`);
        else if (i.target?.startsWith('portal/http/')) v.push(`http: ${file} imports ${i.target}`);
      }
    }
  }
  // Rule 4: no import cycles. Type-only imports are left out: they are erased before the
  // module runs (tsx/esbuild drop them), so they cannot make a module load before its
  // dependency has initialised, and a shared type is not a dependency of behaviour.
  for (const cycle of cycles(facts)) v.push(`cycle: ${cycle.join(' -> ')}`);
  return v.sort();
}

/** One shortest cycle per strongly connected group of runtime imports, starting at its first file. */
export function cycles(facts: Map<string, SourceFacts>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [file, f] of facts) {
    const to = f.imports.filter((i) => !i.typeOnly && i.target && facts.has(i.target)).map((i) => i.target!);
    edges.set(file, [...new Set(to)].sort());
  }
  const out: string[][] = [];
  for (const group of stronglyConnected(edges)) {
    const start = group[0];
    if (group.length === 1 && !edges.get(start)!.includes(start)) continue;
    out.push(shortestCycle(start, edges, new Set(group)));
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

// Tarjan's algorithm, iterative (no recursion limit on a big tree); groups sorted by name.
function stronglyConnected(edges: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    (index.set(root, next), low.set(root, next++), stack.push(root), onStack.add(root));
    while (work.length) {
      const top = work[work.length - 1];
      const out = edges.get(top.node)!;
      if (top.i < out.length) {
        const w = out[top.i++];
        if (!index.has(w)) {
          (index.set(w, next), low.set(w, next++), stack.push(w), onStack.add(w));
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const group: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          group.push(w);
        } while (w !== top.node);
        groups.push(group.sort());
      }
    }
  }
  return groups;
}

function shortestCycle(start: string, edges: Map<string, string[]>, within: Set<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  for (let k = 0; k < queue.length; k++) {
    for (const w of edges.get(queue[k])!) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let n = queue[k]; n !== start; n = prev.get(n)!) path.splice(1, 0, n);
        return [...path, start];
      }
      if (!prev.has(w)) (prev.set(w, queue[k]), queue.push(w));
    }
  }
  return [start, start];
}
