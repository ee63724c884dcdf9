/** What the console's pages share: dependencies, the signed-in person, and how a page is rendered in their language. */
import type { Context } from 'koa';
import type * as oidc from 'openid-client';
import type { Principal } from '../admin/principal.ts';
import type { Config } from '../config/load.ts';
import { renderPage } from '../http/views.ts';
import { consoleTexts } from '../i18n/console-texts.ts';
import { negotiateLocale, type Locale } from '../i18n/texts.ts';
import type { Logger } from '../observability/logger.ts';
import { cookieNames } from '../security/cookie-names.ts';
import type { AdminRecord, AdminStore } from '../storage/admins.ts';
import type { ConsoleSession, ConsoleSessionRepository } from '../storage/console-sessions.ts';
import type { Db } from '../storage/database.ts';
import type { CallAdmin } from './admin-call.ts';

export interface ConsoleDeps {
  db: Db;
  config: Config;
  logger: Logger;
  sessions: ConsoleSessionRepository;
  admins: AdminStore;
  /** The console's OIDC client configuration (discovered through the local listener). */
  oidc: () => Promise<oidc.Configuration>;
  call: CallAdmin;
  /** The clock (tests move it to pass the idle timeout). */
  now: () => Date;
}

export interface SignedIn {
  session: ConsoleSession;
  admins: AdminRecord[];
  principal: Principal;
}

/** The console session cookie's name in this deployment. */
export const sessionCookie = (deps: Pick<ConsoleDeps, 'config'>) => cookieNames(deps.config.http.issuer).console;
const LANG_COOKIE = 'brygga_console_lang';

export const signedIn = (ctx: Context) => ctx.state.console as SignedIn;

/** `?lang=` wins and is remembered for the browser session; then Accept-Language. */
export function consoleLocale(ctx: Context): Locale {
  const asked = typeof ctx.query.lang === 'string' ? ctx.query.lang : undefined;
  if (asked === 'sv' || asked === 'en') ctx.cookies.set(LANG_COOKIE, asked, { httpOnly: true, sameSite: 'lax', path: '/admin', overwrite: true });
  return negotiateLocale({ lang: asked ?? ctx.cookies.get(LANG_COOKIE), acceptLanguage: ctx.get('accept-language') });
}

/** The same page (its query kept) in the other language. */
function otherLanguageHref(ctx: Context, locale: Locale): string {
  const query = new URLSearchParams(ctx.querystring);
  query.set('lang', locale === 'sv' ? 'en' : 'sv');
  return `${ctx.path}?${query}`;
}

/** A console page in the person's language, with the navigation when signed in. */
export function renderConsole(ctx: Context, view: string, title: string, data: Record<string, unknown> = {}): void {
  const locale = consoleLocale(ctx);
  const c = consoleTexts(locale);
  const state = ctx.state.console as SignedIn | undefined;
  ctx.type = 'html';
  ctx.body = renderPage(`console/${view}`, { locale, title: `${title} – ${c.console}`, otherLanguageHref: otherLanguageHref(ctx, locale), wide: true }, {
    c, heading: title, path: ctx.path,
    me: state && { name: state.session.displayName, csrf: state.session.csrf, full: !state.principal.tenants },
    ...data,
  });
}
