// The NAS client form: parse and validate with the NAS schema, and update an existing
// client (portal/access/nas-clients.ts adds and removes; the console also edits).
import type { Queryable } from '../store/db.ts';
import { StoreError } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { conflict } from '../errors.ts';
import { generateSecret, nasInput } from '../access/nas-clients.ts';
import { fieldErrors, str } from './page.ts';

export type NasForm = Record<string, string>;

export function parseNasForm(body: Record<string, unknown>, o: { editing: boolean }): { values: NasForm; input?: ReturnType<typeof nasInput.parse>; secretMode: string; errors: Record<string, string> } {
  const values: NasForm = {};
  for (const k of ['name', 'address', 'vendor', 'venueId', 'coaPort', 'secretMode', 'secret']) values[k] = str(body[k]).trim();
  values.requireMessageAuthenticator = str(body.requireMessageAuthenticator) === 'on' ? 'on' : '';
  const secretMode = values.secretMode || (o.editing ? 'keep' : 'generate');
  const errors: Record<string, string> = {};
  const coa = Number(values.coaPort || '3799');
  const parsed = nasInput.safeParse({
    name: values.name,
    address: values.address,
    vendor: values.vendor,
    venueId: values.venueId,
    requireMessageAuthenticator: values.requireMessageAuthenticator === 'on',
    coaPort: coa,
    secret: secretMode === 'enter' ? values.secret : undefined,
  });
  if (secretMode === 'enter' && !values.secret) errors.secret = 'errors.admin_secret_required';
  if (!parsed.success) Object.assign(errors, { ...fieldErrors(parsed.error.issues), ...errors });
  delete values.secret; // never echoed back into the page
  if (!parsed.success || Object.keys(errors).length) return { values, secretMode, errors };
  return { values, input: parsed.data, secretMode, errors };
}

/** Updates a NAS; returns the new secret in clear when it was changed (shown once). */
export async function updateNas(db: Queryable, cipher: FieldCipher, id: string, n: ReturnType<typeof nasInput.parse>, secretMode: string): Promise<{ found: boolean; secret?: string }> {
  const secret = secretMode === 'generate' ? generateSecret() : secretMode === 'enter' ? n.secret : undefined;
  try {
    const { changes } = await db.run(
      `UPDATE nas_clients SET name = ?, address = ?, vendor = ?, venue_id = ?, require_message_authenticator = ?, coa_port = ?${secret ? ', secret_enc = ?' : ''} WHERE id = ?`,
      [n.name, n.address, n.vendor, n.venueId, n.requireMessageAuthenticator ? 1 : 0, n.coaPort, ...(secret ? [cipher.encrypt(secret)] : []), id],
    );
    return { found: changes > 0, secret };
  } catch (err) {
    if (err instanceof StoreError && err.code === 'conflict') throw conflict('nas_exists', `A NAS named "${n.name}" already exists.`);
    throw err;
  }
}
