// Reads the credentials a guest is handed back to the NAS with, whichever way the adapter
// chose (a redirect to the login URL with them in the query, or a form posting there).
// Never follows the redirect: the login URL is the NAS's, not something a test may call.
import { formFields } from '../guest/helpers.ts';

export function handBackCredentials(
  res: { status: number; location: string | null; html: string },
  loginUrl: string,
): { username: string; password: string } | undefined {
  if ((res.status === 302 || res.status === 303) && res.location?.startsWith(loginUrl)) {
    const q = new URL(res.location).searchParams;
    const username = q.get('username') ?? q.get('user') ?? '';
    const password = q.get('password') ?? '';
    return username ? { username, password } : undefined;
  }
  if (
    res.status === 200 &&
    new RegExp(`<form[^>]+action="${loginUrl.replace(/[.?*+^$()[\]\\/]/g, '\\$&')}`).test(res.html)
  ) {
    const f = formFields(res.html, loginUrl);
    return f.username ? { username: f.username, password: f.password } : undefined;
  }
  return undefined;
}
