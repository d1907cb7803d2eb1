// Venue logos: checked by content (magic bytes), not by name or declared type, and by
// size; stored content-addressed and served by Foyer itself (guests are not online yet).
// SVG is refused: it can carry script, and sanitising it is a project of its own.
import type { Queryable } from '../store/db.ts';
import { badInput } from '../errors.ts';
import { sha256 } from '../consent/event.ts';

export const LOGO_MAX_BYTES = 256 * 1024;

const KINDS = [
  {
    type: 'image/png',
    ext: 'png',
    test: (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', ext: 'jpg', test: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    type: 'image/webp',
    ext: 'webp',
    test: (b: Buffer) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
] as const;

export function sniffLogo(data: Buffer): { type: string; ext: string } {
  if (data.length === 0) throw badInput('logo_empty', 'Choose an image file to upload.');
  if (data.length > LOGO_MAX_BYTES)
    throw badInput('logo_too_large', `The logo may be at most ${LOGO_MAX_BYTES / 1024} KB.`, {
      kb: LOGO_MAX_BYTES / 1024,
    });
  const kind = KINDS.find((k) => k.test(data));
  if (!kind) throw badInput('logo_type', 'The logo must be a PNG, JPEG or WebP image (SVG is not accepted).');
  return { type: kind.type, ext: kind.ext };
}

/** Stores the logo; returns the path guests load it from. */
export async function storeLogo(db: Queryable, venueId: string, data: Buffer, now = Date.now()): Promise<string> {
  const kind = sniffLogo(data);
  const id = sha256(data.toString('base64')).slice(0, 40);
  await db.run(
    'INSERT INTO venue_logos (id, venue_id, content_type, data, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
    [id, venueId, kind.type, data.toString('base64'), now],
  );
  return `/logos/${id}.${kind.ext}`;
}

/**
 * Whether `path` is one of this venue's stored uploads, exactly as storeLogo returned it.
 * The logo setting takes nothing else: not another site (a tracking pixel on the guest's
 * page), not another venue's upload, not any other path of Foyer.
 */
export async function isStoredLogo(db: Queryable, venueId: string, path: string): Promise<boolean> {
  const m = /^\/logos\/([0-9a-f]{40})\.(png|jpg|webp)$/.exec(path);
  if (!m) return false;
  const r = await db.get<{ content_type: string }>(
    'SELECT content_type FROM venue_logos WHERE id = ? AND venue_id = ?',
    [m[1], venueId],
  );
  return r !== undefined && KINDS.some((k) => k.type === r.content_type && k.ext === m[2]);
}

export async function loadLogo(db: Queryable, id: string): Promise<{ type: string; data: Buffer } | undefined> {
  const r = await db.get<{ content_type: string; data: string }>(
    'SELECT content_type, data FROM venue_logos WHERE id = ?',
    [id],
  );
  return r && { type: r.content_type, data: Buffer.from(r.data, 'base64') };
}
