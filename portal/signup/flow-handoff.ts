// A finished flow handed back again with what the NAS sent most recently (issue 19 point
// 1): CoovaChilli and MikroTik give a fresh challenge with every redirect, and a CHAP
// response made with the challenge of the first redirect is refused once it has expired
// (chilli: after five minutes, about the time a guest spends fetching the SMS).
import type { Queryable } from '../store/db.ts';
import type { Handoff } from '../access-points/handoff.ts';
import type { FlowDeps } from './flows.ts';

/** Replaces a done flow's hand-off (the page first asked for kept when the new one has none); false when the flow is not done. */
export async function refreshFlowHandoff(
  db: Queryable,
  deps: FlowDeps,
  flow: { id: string; handoff: Handoff },
  fresh: Handoff,
  now: number,
): Promise<boolean> {
  const handoff: Handoff = { ...fresh, originalUrl: fresh.originalUrl ?? flow.handoff.originalUrl };
  const r = await db.run(`UPDATE guest_flows SET handoff_enc = ?, updated_at = ? WHERE id = ? AND state = 'done'`, [
    deps.cipher.encrypt(JSON.stringify(handoff)),
    now,
    flow.id,
  ]);
  return r.changes === 1;
}
