// Device MACs arrive in whatever format the NAS vendor likes: aa:bb:cc:dd:ee:ff,
// AA-BB-CC-DD-EE-FF, aabbccddeeff, aabb.ccdd.eeff. Grants and sessions store one form.

const FORMATS = [
  /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i,
  /^([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})\.([0-9a-f]{2})([0-9a-f]{2})$/i,
];

/** Lower-case, colon-separated; undefined when `raw` is not a MAC address. */
export function normaliseMac(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const s = raw.trim();
  // Most User-Names are not MACs: their length alone says so, before any pattern runs.
  if (s.length !== 17 && s.length !== 12 && s.length !== 14) return undefined;
  // Mixed separators (aa:bb-cc…) are not a format anyone sends.
  if (/[:]/.test(s) && /-/.test(s)) return undefined;
  for (const re of FORMATS) {
    const m = re.exec(s);
    if (m) return m.slice(1).join(':').toLowerCase();
  }
  return undefined;
}
