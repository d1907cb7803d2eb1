// How a value is escaped into the http gateway's body template, by the body's Content-Type.
// The SMS text may hold an operator's wording: unescaped, it could close the element or
// line it sits in and add a second message to another number. A content type without a
// known escaping is refused when the configuration is read, never sent raw.

export type Escape = (s: string) => string;

const XML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/** Inside a JSON string literal: the template supplies the quotes. */
export const jsonEscape: Escape = (s) => JSON.stringify(s).slice(1, -1);

const ESCAPES: { test: (mime: string) => boolean; escape: Escape }[] = [
  { test: (m) => m === 'application/json' || m.endsWith('+json'), escape: jsonEscape },
  { test: (m) => m === 'application/x-www-form-urlencoded', escape: (s) => encodeURIComponent(s) },
  {
    test: (m) => m === 'application/xml' || m === 'text/xml' || m.endsWith('+xml'),
    escape: (s) => s.replace(/[<>&"']/g, (c) => XML[c]),
  },
  // Plain text protocols are read line by line: a line break in a value would start a
  // line of its own (another "to=…"), so it becomes a space.
  { test: (m) => m === 'text/plain', escape: (s) => s.replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ') },
];

export const KNOWN_TYPES = 'application/json, application/x-www-form-urlencoded, application/xml or text/plain';

/** The escaping for a Content-Type header value ('' is text/plain, what fetch sends for a string); undefined when none is known. */
export function escaperFor(contentType: string): Escape | undefined {
  const mime = (contentType.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  return ESCAPES.find((e) => e.test(mime))?.escape;
}

/** Replaces {{to}} {{text}} {{from}} placeholders, each value passed through `escape`. */
export function fill(template: string, values: Record<string, string>, escape: Escape): string {
  return template.replace(/\{\{\s*(to|text|from)\s*\}\}/g, (_m, k: string) => escape(values[k] ?? ''));
}

/** What is wrong with a body template for this Content-Type, for the configuration error; undefined when it is usable. */
export function bodyTemplateProblem(template: string, contentType: string): string | undefined {
  const escape = escaperFor(contentType);
  if (!escape)
    return `Content-Type ${contentType} has no known escaping for {{to}} {{text}} {{from}}; use ${KNOWN_TYPES}`;
  if (escape === jsonEscape) {
    // Filled with a value holding a quote, the body is valid JSON only if every placeholder sits inside a string.
    try {
      JSON.parse(fill(template, { to: '"', text: '"', from: '"' }, escape));
    } catch {
      return 'with a JSON Content-Type the template must be JSON with each placeholder inside a JSON string ("{{text}}")';
    }
  }
  return undefined;
}
