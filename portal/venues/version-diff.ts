// Side-by-side comparison of two published versions: every text they hold, flattened
// to dotted paths, and a word diff of each changed text (longest common subsequence).
import type { VenueSettings } from './settings.ts';

export type Segment = { kind: 'same' | 'del' | 'ins'; text: string };

export interface FieldDiff {
  path: string;
  changed: boolean;
  /** The older text with removed words marked. */
  left: Segment[];
  /** The newer text with added words marked. */
  right: Segment[];
}

/** { a: { b: 'x' } } -> [['a.b', 'x']] with arrays joined, in a stable order. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) out.set(prefix, value.join(', '));
  else if (typeof value === 'object')
    for (const k of Object.keys(value).sort())
      flatten((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, String(value));
  return out;
}

const MAX_TOKENS = 5000;

export function diffWords(a: string, b: string): Segment[] {
  const x = a.split(/(\s+)/).filter(Boolean);
  const y = b.split(/(\s+)/).filter(Boolean);
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) (endX--, endY--);
  const out: Segment[] = [];
  const push = (kind: Segment['kind'], text: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else if (text) out.push({ kind, text });
  };
  push('same', x.slice(0, start).join(''));
  const mx = x.slice(start, endX);
  const my = y.slice(start, endY);
  if (mx.length * my.length > (MAX_TOKENS * MAX_TOKENS) / 4) {
    push('del', mx.join(''));
    push('ins', my.join(''));
  } else {
    // lcs[i][j]: common length of mx[i..] and my[j..].
    const w = my.length + 1;
    const lcs = new Uint32Array((mx.length + 1) * w);
    for (let i = mx.length - 1; i >= 0; i--)
      for (let j = my.length - 1; j >= 0; j--)
        lcs[i * w + j] =
          mx[i] === my[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    let i = 0;
    let j = 0;
    while (i < mx.length || j < my.length) {
      if (i < mx.length && j < my.length && mx[i] === my[j]) (push('same', mx[i]), i++, j++);
      else if (j < my.length && (i === mx.length || lcs[i * w + j + 1] >= lcs[(i + 1) * w + j]))
        (push('ins', my[j]), j++);
      else (push('del', mx[i]), i++);
    }
  }
  push('same', x.slice(endX).join(''));
  return out;
}

export function compareVersions(
  a: { name: string; settings: VenueSettings },
  b: { name: string; settings: VenueSettings },
): FieldDiff[] {
  const fa = flatten({ name: a.name, ...a.settings });
  const fb = flatten({ name: b.name, ...b.settings });
  const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return paths.map((path) => {
    const l = fa.get(path) ?? '';
    const r = fb.get(path) ?? '';
    if (l === r) return { path, changed: false, left: [{ kind: 'same', text: l }], right: [{ kind: 'same', text: r }] };
    const ops = diffWords(l, r);
    return {
      path,
      changed: true,
      left: ops.filter((s) => s.kind !== 'ins'),
      right: ops.filter((s) => s.kind !== 'del'),
    };
  });
}
