/** The provider's own browser pages (errors, logout) rendered with Brygga's views in the person's language. */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { CATALOGUE } from '../errors/catalogue.ts';
import { renderError, renderPage } from '../http/views.ts';
import { negotiateLocale, textsFor } from '../i18n/texts.ts';
import type { ProviderPages } from './provider.ts';

const localeOf = (ctx: KoaContextWithOIDC) => negotiateLocale({
  uiLocales: ctx.oidc?.params?.ui_locales as string | undefined,
  acceptLanguage: ctx.get('accept-language'),
});

export function providerPages(): ProviderPages {
  return {
    error(ctx, out) {
      const locale = localeOf(ctx);
      const t = textsFor(locale);
      // The person sees a plain sentence; the protocol detail is shown for whoever debugs the client.
      const expired = out.error === 'invalid_request' && /interaction|session/i.test(out.error_description ?? '');
      const text = expired ? CATALOGUE.interaction_expired.text[locale]
        : out.error === 'temporarily_unavailable' ? CATALOGUE.database_unavailable.text[locale]
        : `${t.errorRequest} ${out.error}`;
      return renderError(locale, text, out.error_description, { requestId: ctx.state.requestId });
    },
    logout(ctx, form) {
      const locale = localeOf(ctx);
      return renderPage('logout', { locale, title: textsFor(locale).logoutTitle }, { form });
    },
    loggedOut(ctx) {
      const locale = localeOf(ctx);
      return renderPage('logged-out', { locale, title: textsFor(locale).logoutTitle }, {});
    },
  };
}
