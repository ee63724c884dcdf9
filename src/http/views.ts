/** Server-rendered pages from `views/` (Eta, HTML-escaped by default; `<%~` only for markup we generate). */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { textsFor, type Locale } from '../i18n/texts.ts';

const VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));
const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });

export interface PageOptions {
  locale: Locale;
  title: string;
  /** Seconds after which a page without JavaScript reloads itself. */
  refreshSeconds?: number;
  /** A module script (progressive enhancement; deferred like every module) with this response's CSP nonce. */
  script?: { src: string; nonce: string };
  /** The same page in the other language. */
  otherLanguageHref?: string;
  /** Room for tables (the admin console). */
  wide?: boolean;
}

export function renderPage(template: string, options: PageOptions, data: Record<string, unknown>): string {
  const other: Locale = options.locale === 'sv' ? 'en' : 'sv';
  return eta.render(template, {
    ...data,
    t: textsFor(options.locale),
    locale: options.locale,
    title: options.title,
    refreshSeconds: options.refreshSeconds,
    script: options.script,
    wide: options.wide,
    otherLanguage: options.otherLanguageHref ? { href: options.otherLanguageHref, locale: other, label: textsFor(options.locale).language } : undefined,
  });
}

export interface ErrorPageExtras {
  /** The request's id (`ctx.state.requestId`), for the person to quote; it is on the request's log lines too. */
  requestId?: string;
  /** A link to a start page, where there is one. */
  home?: string;
  otherLanguageHref?: string;
  /** A heading other than "Something went wrong" (the busy page). */
  title?: string;
}

export function renderError(locale: Locale, message: string, detail?: string, extras: ErrorPageExtras = {}): string {
  const t = textsFor(locale);
  const title = extras.title ?? t.errorTitle;
  return renderPage('error', { locale, title, otherLanguageHref: extras.otherLanguageHref }, {
    heading: title, message, detail, requestId: extras.requestId, home: extras.home,
  });
}
