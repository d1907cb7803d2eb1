// Admin accounts: scrypt password hashes, one role each, venues for operators.
import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Db, Queryable } from '../store/db.ts';
import { StoreError } from '../store/db.ts';
import { badInput, conflict } from '../errors.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export const ROLES = ['owner', 'network-admin', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export const adminInput = z
  .object({
    email: z
      .email()
      .max(254)
      .transform((e) => e.toLowerCase()),
    password: z.string().min(12, 'at least 12 characters').max(200),
    role: z.enum(ROLES),
    venueIds: z.array(z.string()).default([]),
  })
  .refine((a) => a.role !== 'operator' || a.venueIds.length > 0, {
    message: 'an operator needs at least one venue (--venue)',
    path: ['venue'],
  });

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(got, expected);
}

export interface AdminAccount {
  id: string;
  email: string;
  role: Role;
  venueIds: string[];
}

export async function addAdmin(db: Db, input: z.input<typeof adminInput>): Promise<AdminAccount> {
  const parsed = adminInput.safeParse(input);
  if (!parsed.success)
    throw badInput(
      'admin_invalid',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '),
    );
  const a = parsed.data;
  const id = randomUUID();
  const passwordHash = await hashPassword(a.password);
  try {
    await db.tx(async (tx) => {
      await tx.run('INSERT INTO admins (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)', [
        id,
        a.email,
        passwordHash,
        a.role,
        Date.now(),
      ]);
      for (const v of a.venueIds) await tx.run('INSERT INTO admin_venues (admin_id, venue_id) VALUES (?, ?)', [id, v]);
    });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict')
      throw conflict('admin_exists', `An account for ${a.email} already exists.`);
    throw err;
  }
  return { id, email: a.email, role: a.role, venueIds: a.venueIds };
}

export async function findAdminByEmail(
  db: Queryable,
  email: string,
): Promise<(AdminAccount & { passwordHash: string }) | undefined> {
  const row = await db.get<{ id: string; email: string; role: Role; password_hash: string }>(
    'SELECT * FROM admins WHERE email = ?',
    [email.toLowerCase()],
  );
  if (!row) return undefined;
  const venues = await db.all<{ venue_id: string }>('SELECT venue_id FROM admin_venues WHERE admin_id = ?', [row.id]);
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    venueIds: venues.map((v) => v.venue_id),
    passwordHash: row.password_hash,
  };
}

export async function findAdminById(db: Queryable, id: string): Promise<AdminAccount | undefined> {
  const row = await db.get<{ id: string; email: string; role: Role }>(
    'SELECT id, email, role FROM admins WHERE id = ?',
    [id],
  );
  if (!row) return undefined;
  const venues = await db.all<{ venue_id: string }>('SELECT venue_id FROM admin_venues WHERE admin_id = ?', [row.id]);
  return { id: row.id, email: row.email, role: row.role, venueIds: venues.map((v) => v.venue_id) };
}

export async function listAdmins(db: Queryable): Promise<(AdminAccount & { createdAt: number })[]> {
  const rows = await db.all<{ id: string; email: string; role: Role; created_at: number }>(
    'SELECT id, email, role, created_at FROM admins ORDER BY email',
  );
  const links = await db.all<{ admin_id: string; venue_id: string }>('SELECT admin_id, venue_id FROM admin_venues');
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: r.created_at,
    venueIds: links.filter((l) => l.admin_id === r.id).map((l) => l.venue_id),
  }));
}

/** Removes an account with its venues and sessions; the audit log keeps its e-mail address. */
export async function removeAdmin(db: Db, id: string): Promise<boolean> {
  return db.tx(async (tx) => {
    await tx.run('DELETE FROM admin_sessions WHERE admin_id = ?', [id]);
    await tx.run('DELETE FROM admin_venues WHERE admin_id = ?', [id]);
    const { changes } = await tx.run('DELETE FROM admins WHERE id = ?', [id]);
    return changes > 0;
  });
}

/** Changes an account's role and venues; sessions pick the change up on their next request. */
export async function updateAdminAccess(db: Db, id: string, role: Role, venueIds: string[]): Promise<boolean> {
  if (role === 'operator' && venueIds.length === 0)
    throw badInput('admin_invalid', 'an operator needs at least one venue');
  return db.tx(async (tx) => {
    const { changes } = await tx.run('UPDATE admins SET role = ? WHERE id = ?', [role, id]);
    if (!changes) return false;
    await tx.run('DELETE FROM admin_venues WHERE admin_id = ?', [id]);
    if (role === 'operator')
      for (const v of venueIds) await tx.run('INSERT INTO admin_venues (admin_id, venue_id) VALUES (?, ?)', [id, v]);
    return true;
  });
}
