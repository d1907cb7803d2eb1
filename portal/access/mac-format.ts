// Device MACs arrive in whatever format the NAS vendor likes: aa:bb:cc:dd:ee:ff,
// AA-BB-CC-DD-EE-FF, aabbccddeeff, aabb.ccdd.eeff, AABB-CCDD-EEFF. Grants, sessions and
// Calling-Station-Id comparisons need exactly one form. This runs on every
// Access-Request, so the length picks the one pattern that can match.

const BY_LENGTH: Record<number, RegExp> = {
  // One separator throughout: aa:bb-cc… is not a format anyone sends.
  17: /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i,
  14: /^[0-9a-f]{4}([.-])[0-9a-f]{4}\1[0-9a-f]{4}$/i,
  12: /^[0-9a-f]{12}$/i,
};

// The same devices come back again and again (every MAC authentication names its device
// twice): their normal forms are kept, so a returning device costs a Map lookup rather
// than a regular expression and a new string (issue 18). Bounded: a flood of made-up
// addresses empties it, and is then answered as before; only strings no longer than a
// MAC are kept, so what it holds stays small whatever a request carries.
const KNOWN = new Map<string, string | null>();
const KNOWN_MAX = 20_000;

/** Lower-case, colon-separated; undefined when `raw` is not a MAC address. */
export function normaliseMac(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (raw.length > 17) return parse(raw);
  const known = KNOWN.get(raw);
  if (known !== undefined) return known ?? undefined;
  const mac = parse(raw);
  if (KNOWN.size >= KNOWN_MAX) KNOWN.clear();
  KNOWN.set(raw, mac ?? null);
  return mac;
}

function parse(raw: string): string | undefined {
  const s = raw.trim();
  if (!BY_LENGTH[s.length]?.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (s.length === 17) return lower[2] === ':' ? lower : lower.replaceAll('-', ':');
  const h = s.length === 12 ? lower : lower.slice(0, 4) + lower.slice(5, 9) + lower.slice(10);
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}:${h.slice(10)}`;
}
