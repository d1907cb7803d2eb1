// The audit log: every admin action, who, what, when and from where. Written in the
// same transaction as the change where there is one.
import type { Queryable, Param } from '../store/db.ts';

export interface Actor {
  id: string | null;
  email: string;
  ip: string;
}

export interface AuditEntry {
  id: number;
  at: number;
  actorEmail: string;
  action: string;
  target: string | null;
  detail: string | null;
  ip: string | null;
}

export async function audit(
  db: Queryable,
  actor: Actor,
  action: string,
  target?: string | null,
  detail?: Record<string, unknown> | string,
  now = Date.now(),
): Promise<void> {
  const d = detail === undefined ? null : typeof detail === 'string' ? detail : JSON.stringify(detail);
  await db.run(
    'INSERT INTO admin_audit (at, actor_id, actor_email, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)',
    [now, actor.id, actor.email, action, target ?? null, d?.slice(0, 2000) ?? null, actor.ip],
  );
}

export async function listAudit(
  db: Queryable,
  o: { action?: string; actor?: string; before?: number; limit?: number } = {},
): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: Param[] = [];
  if (o.action) (where.push('action LIKE ?'), params.push(`${o.action}%`));
  if (o.actor) (where.push('actor_email = ?'), params.push(o.actor.toLowerCase()));
  if (o.before) (where.push('id < ?'), params.push(o.before));
  const rows = await db.all<{
    id: number;
    at: number;
    actor_email: string;
    action: string;
    target: string | null;
    detail: string | null;
    ip: string | null;
  }>(
    `SELECT * FROM admin_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${Math.min(o.limit ?? 100, 500)}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorEmail: r.actor_email,
    action: r.action,
    target: r.target,
    detail: r.detail,
    ip: r.ip,
  }));
}
