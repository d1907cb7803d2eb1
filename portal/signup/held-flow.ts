// A flow belongs to the browser that started it: the one whose cookie names the flow and
// holds its secret. A flow id alone (from a URL or a form) opens nothing: it is not a
// secret. Only a browser whose cookie names the flow is read for at all, so the first
// submit of a screen 1 page (almost every one) reads nothing, and a page whose id another
// browser took gets a new id when its flow is written (start.ts).
import type { AppContext } from '../context.ts';
import { loadFlow, ownsFlow, type Flow } from './flows.ts';

/** The flow `id` names, if `cookie` holds it (own), and whether a flow with that id was seen (idTaken). */
export async function heldFlow(
  app: Pick<AppContext, 'db' | 'keys' | 'cipher'>,
  venueId: string,
  id: string | undefined,
  cookie: { id: string; secret: string } | undefined,
  now: number,
): Promise<{ own: Flow | undefined; idTaken: boolean }> {
  const found = id && cookie?.id === id ? await loadFlow(app.db, app, id, venueId, now) : undefined;
  return { own: found && ownsFlow(app.keys, found, cookie?.secret) ? found : undefined, idTaken: Boolean(found) };
}
