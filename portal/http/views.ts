// nunjucks with autoescaping over templates/. One environment per app.
import nunjucks from 'nunjucks';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localeStrings, translate } from './i18n.ts';
import type { Locale } from '../venues/settings.ts';

export const TEMPLATES_DIR = resolve(fileURLToPath(new URL('../../templates', import.meta.url)));

export interface Views {
  env: nunjucks.Environment;
  render(name: string, locale: Locale, vars: Record<string, unknown>): string;
  t(locale: Locale, key: string, params?: Record<string, string | number>): string;
}

export function createViews(dir = TEMPLATES_DIR, opts: { noCache?: boolean } = {}): Views {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir, { noCache: opts.noCache ?? false }), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  const t = (locale: Locale, key: string, params?: Record<string, string | number>) =>
    translate(localeStrings(dir, locale), key, params, locale);
  return {
    env,
    t,
    render: (name, locale, vars) =>
      env.render(name, {
        ...vars,
        locale,
        t: (key: string, params?: Record<string, string | number>) => t(locale, key, params),
      }),
  };
}

export const templatePath = (name: string) => join(TEMPLATES_DIR, name);
