// The one place a value is written into SQL text instead of travelling as a bound
// parameter: a transaction's deferred writes (Tx.defer) go to the database together with
// its COMMIT in one round trip, which on SQLite is one sqlite3_exec (it takes no
// parameters) and on PostgreSQL one simple query (several statements, no parameters).
// Each value becomes a literal the database reads back as exactly the value a bound
// parameter would have given; anything that cannot (a NaN, an infinity, a bigint beyond
// 64 bits, an object, a NUL in PostgreSQL text, which no PostgreSQL text holds) is refused.
// test/store/sql-literal.property.test.ts round-trips values through both databases;
// test/security/security.test.ts keeps this the only file that quotes SQL values.
import pg from 'pg';
import { StoreError, type Dialect, type Param } from './db.ts';

/** A quoted string (its '' escapes included) or a `?` placeholder: placeholders are only counted outside strings. */
export const PLACEHOLDER = /'(?:[^']|'')*'|\?/g;

const refuse = (why: string) => new StoreError('invalid', `a value cannot be written into SQL text: ${why}`);

// Integers SQLite stores as a 64-bit INTEGER; a bigint outside them has no exact literal.
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// String(-0) is "0", as pg sends it; SQLite keeps no negative zero either: a bound -0 also comes back 0.
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw refuse(`${n} is not a finite number`);
  return String(n);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(raw: string, dialect: Dialect): string {
  // A lone surrogate has no UTF-8 form: both drivers bind it as U+FFFD, and so does this
  // (a message cut at 500 UTF-16 units may end in half an emoji).
  const s = raw.replace(LONE_SURROGATE, '\uFFFD');
  if (dialect === 'postgres') {
    if (s.includes('\0')) throw refuse('PostgreSQL text cannot hold a NUL character');
    return pg.escapeLiteral(s);
  }
  // sqlite3_exec reads the SQL as a C string, which ends at a NUL: such text goes as its UTF-8 bytes.
  if (s.includes('\0')) return `CAST(X'${Buffer.from(s, 'utf8').toString('hex')}' AS TEXT)`;
  return `'${s.replaceAll("'", "''")}'`;
}

/** `v` as a SQL literal of `dialect`; throws StoreError 'invalid' for a value no literal gives back unchanged. */
export function sqlLiteral(dialect: Dialect, v: Param): string {
  if (v === null) return 'NULL';
  switch (typeof v) {
    case 'string':
      return text(v, dialect);
    case 'number':
      // PostgreSQL: the text pg would send for a bound number, untyped, so the server
      // gives it the type it would give the parameter.
      return dialect === 'postgres' ? `'${numberText(v)}'` : numberText(v);
    case 'bigint':
      if (v < INT64_MIN || v > INT64_MAX) throw refuse(`${v} is outside 64-bit integers`);
      return dialect === 'postgres' ? `'${v}'` : String(v);
    case 'boolean':
      // As SQLite's driver binds them; PostgreSQL reads '1' and '0' as an integer or a boolean.
      return dialect === 'postgres' ? (v ? "'1'" : "'0'") : v ? '1' : '0';
    default:
      if (Buffer.isBuffer(v))
        return dialect === 'postgres' ? pg.escapeLiteral(`\\x${v.toString('hex')}`) : `X'${v.toString('hex')}'`;
      throw refuse(`a ${typeof v} is not a value the store takes`);
  }
}

/** `sql` with each `?` outside its quoted strings replaced by the literal of the matching parameter. */
export function inlineParams(dialect: Dialect, sql: string, params: Param[] = []): string {
  let n = 0;
  const out = sql.replace(PLACEHOLDER, (m) => {
    if (m !== '?') return m;
    if (n >= params.length) throw refuse(`the SQL has more placeholders than the ${params.length} values given`);
    return sqlLiteral(dialect, params[n++]);
  });
  if (n !== params.length) throw refuse(`the SQL has ${n} placeholders for ${params.length} values`);
  return out;
}
