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

/** Lower-case, colon-separated; undefined when `raw` is not a MAC address. */
export function normaliseMac(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (!BY_LENGTH[s.length]?.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (s.length === 17) return lower[2] === ':' ? lower : lower.replaceAll('-', ':');
  const h = s.length === 12 ? lower : lower.slice(0, 4) + lower.slice(5, 9) + lower.slice(10);
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}:${h.slice(10)}`;
}
