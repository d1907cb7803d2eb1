// CSV or JSON, streamed: a header, then one chunk per page of records.

export type Format = 'csv' | 'json';

export async function* formatRecords<F extends string>(
  fields: readonly F[],
  format: Format,
  pages: AsyncIterable<Record<F, string>[]>,
): AsyncGenerator<string> {
  yield format === 'csv' ? fields.join(',') + '\n' : '[';
  let first = true;
  for await (const page of pages) {
    let chunk = '';
    for (const rec of page) {
      if (format === 'csv') chunk += fields.map((f) => csvCell(rec[f])).join(',') + '\n';
      else ((chunk += (first ? '\n' : ',\n') + JSON.stringify(rec)), (first = false));
    }
    if (chunk) yield chunk;
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}

/**
 * RFC 4180 quoting. A cell starting with = + - @ is defused so spreadsheets do not run
 * it as a formula; an E.164 number (+ and digits only) cannot be one and stays as it is.
 */
export function csvCell(v: string): string {
  const s = /^[=+\-@\t\r]/.test(v) && !/^\+\d+$/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Keyset pagination: pages of rows ordered by `seq`, never the whole result at once. */
export async function* pagesBySeq<T extends { seq: number }>(
  fetch: (afterSeq: number) => Promise<T[]>,
  pageSize: number,
): AsyncGenerator<T[]> {
  let after = 0;
  for (;;) {
    const rows = await fetch(after);
    if (rows.length) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}
