// The access-point guides (deploy/access-points/*.md) as HTML for the console, with this
// NAS's values in place of the guides' placeholders. Only the markdown the guides use:
// headings, paragraphs, lists, tables, fenced and indented code, `code`, **bold**,
// *emphasis* and links. Everything is escaped first; links go only to http(s) or to another guide.

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inline(text: string, guideHref: (name: string) => string): string {
  const codes: string[] = [];
  let s = esc(text).replace(/`([^`]+)`/g, (_, c: string) => `\u0000${codes.push(`<code>${c}</code>`) - 1}\u0000`);
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (all, label: string, href: string) => {
    const guide = /^([a-z]+)\.md$/.exec(href);
    if (guide) return `<a href="${guideHref(guide[1])}">${label}</a>`;
    if (/^https?:\/\//.test(href)) return `<a href="${href}" rel="noopener noreferrer">${label}</a>`;
    return label;
  });
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]);
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

export function guideHtml(
  markdown: string,
  guideHref: (name: string) => string = (n) => `/admin/network/guides/${n}`,
): string {
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  const span = (t: string) => inline(t, guideHref);
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^\s*```/.exec(line);
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) body.push(lines[i]);
      i++;
      out.push(`<pre><code>${esc(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (/^ {4,}\S/.test(line)) {
      const indent = /^ */.exec(line)![0].length;
      const body: string[] = [];
      for (
        ;
        i < lines.length &&
        (/^\s*$/.test(lines[i]) ? /^ {4,}\S/.test(lines[i + 1] ?? '') : lines[i].startsWith(' '.repeat(4)));
        i++
      )
        body.push(lines[i].slice(Math.min(indent, lines[i].length)));
      out.push(`<pre><code>${esc(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(heading[1].length + 1, 6); // the page's own title is the h1
      out.push(`<h${level}>${span(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
      const body = rows.filter((_, n) => n !== 1 || !/^\|[\s\-:|]+\|?$/.test(rows[1]));
      const [head, ...rest] = body;
      out.push(
        `<table><thead><tr>${cells(head)
          .map((c) => `<th scope="col">${span(c)}</th>`)
          .join('')}</tr></thead><tbody>${rest
          .map(
            (r) =>
              `<tr>${cells(r)
                .map((c) => `<td>${span(c)}</td>`)
                .join('')}</tr>`,
          )
          .join('')}</tbody></table>`,
      );
      continue;
    }
    const item = /^(\s*)(-|\d+\.)\s+/;
    if (item.test(line)) {
      const ordered = /\d/.test(item.exec(line)![2]);
      const items: string[][] = [];
      while (i < lines.length) {
        const l = lines[i];
        const m = item.exec(l);
        if (m && m[1].length < 2) items.push([l.slice(m[0].length)]);
        else if (l.trim() && /^\s{2,}/.test(l) && !/^ {4,}\S/.test(l.replace(/^ {2}/, '')) && items.length)
          items[items.length - 1].push(l.trim());
        else if (!l.trim() && (item.exec(lines[i + 1] ?? '')?.[1].length ?? 9) < 2) {
          i++;
          continue;
        } else break;
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((t) => `<li>${span(t.join(' '))}</li>`).join('')}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    for (
      ;
      i < lines.length &&
      lines[i].trim() &&
      !/^(#|\||\s*```|\s*(-|\d+\.)\s)/.test(lines[i]) &&
      !/^ {4,}\S/.test(lines[i]);
      i++
    )
      para.push(lines[i].trim());
    if (!para.length) {
      para.push(line.trim());
      i++;
    }
    out.push(`<p>${span(para.join(' '))}</p>`);
  }
  return out.join('\n');
}

/** The guides' placeholders (deploy/access-points/README.md), replaced where Foyer knows the value. */
export function fillPlaceholders(
  markdown: string,
  values: Partial<Record<'PORTAL' | 'VENUE' | 'RADIUS_IP', string>>,
): string {
  let s = markdown;
  for (const [k, v] of Object.entries(values))
    if (v) s = s.replace(new RegExp(`(?<![A-Za-z0-9_])${k}(?![A-Za-z0-9_])`, 'g'), v);
  return s;
}
