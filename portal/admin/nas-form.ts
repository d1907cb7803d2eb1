// The NAS client form: parse and validate with the NAS schema, and update an existing
// client (portal/access/nas-clients.ts adds and removes; the console also edits).
import type { Queryable } from '../store/db.ts';
import type { FieldCipher } from '../crypto/fields.ts';
import { generateSecret, nasInput, updateNasRadius, type NasRecord } from '../access/nas-clients.ts';
import { nasPortalInput } from '../access-points/hand-back-settings.ts';
import type { z } from 'zod';
import { fieldErrors, str } from './page.ts';

export type NasForm = Record<string, string>;

const PORTAL_TEXT = [
  'nasIdentifier',
  'authMethod',
  'loginHosts',
  'controllerUrl',
  'controllerUser',
  'controllerSite',
] as const;
const PORTAL_SECRETS = ['uamSecret', 'controllerPassword'] as const;

/** The form's values for a NAS's portal settings (secrets never: only whether one is set). */
export function portalToForm(n: NasRecord): NasForm {
  const p = n.portal;
  return {
    nasIdentifier: p.nasIdentifier ?? '',
    authMethod: p.authMethod ?? '',
    loginHosts: p.loginHosts.join(', '),
    controllerUrl: p.controller?.url ?? '',
    controllerUser: p.controller?.username ?? '',
    controllerSite: p.controller?.site ?? '',
    uamSecretSet: p.uamSecret ? 'yes' : '',
    controllerPasswordSet: p.controller?.password ? 'yes' : '',
  };
}

/**
 * Portal settings from the form, for updateNasPortal: an emptied text field clears its
 * setting; a secret field left empty keeps the stored secret unless its "clear" box is ticked.
 */
function parsePortal(
  body: Record<string, unknown>,
  values: NasForm,
  errors: Record<string, string>,
): z.input<typeof nasPortalInput> | undefined {
  const input: Record<string, unknown> = {};
  for (const k of PORTAL_TEXT) {
    values[k] = str(body[k]).trim();
    input[k] = k === 'loginHosts' ? values[k].split(/[\s,]+/).filter(Boolean) : values[k] || null;
  }
  for (const k of PORTAL_SECRETS) {
    const v = str(body[k]);
    if (v) input[k] = v;
    else if (str(body[`${k}Clear`]) === 'on') input[k] = null;
  }
  const parsed = nasPortalInput.safeParse(input);
  if (!parsed.success) {
    Object.assign(errors, fieldErrors(parsed.error.issues));
    return undefined;
  }
  return input as z.input<typeof nasPortalInput>;
}

export function parseNasForm(
  body: Record<string, unknown>,
  o: { editing: boolean },
): {
  values: NasForm;
  input?: ReturnType<typeof nasInput.parse>;
  portal?: z.input<typeof nasPortalInput>;
  secretMode: string;
  errors: Record<string, string>;
} {
  const values: NasForm = {};
  for (const k of ['name', 'address', 'vendor', 'venueId', 'coaPort', 'secretMode', 'secret'])
    values[k] = str(body[k]).trim();
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
  const portal = parsePortal(body, values, errors);
  if (!parsed.success || !portal || Object.keys(errors).length) return { values, secretMode, errors };
  return { values, input: parsed.data, portal, secretMode, errors };
}

/** Updates a NAS; returns the new secret in clear when it was changed (shown once). */
export async function updateNas(
  db: Queryable,
  cipher: FieldCipher,
  id: string,
  n: ReturnType<typeof nasInput.parse>,
  secretMode: string,
): Promise<{ found: boolean; secret?: string }> {
  const secret = secretMode === 'generate' ? generateSecret() : secretMode === 'enter' ? n.secret : undefined;
  return { found: await updateNasRadius(db, cipher, id, n, secret), secret };
}
