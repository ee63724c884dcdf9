/**
 * Cookie names with the prefixes browsers enforce, where the deployment allows them. Behind an https issuer every
 * cookie is Secure, so `__Secure-`: nothing sent over http can set it. A cookie at path / without a Domain, of a
 * broker at its origin's root, gets `__Host-` instead: no sibling subdomain and no other path can set or overwrite
 * it (cookie tossing, e.g. a planted device or session cookie). An http issuer (localhost only) keeps the plain names,
 * since a browser refuses a prefixed cookie that is not Secure.
 */
export interface CookieNames {
  /** oidc-provider's: the login session (path /), one interaction (its own path), the return to /auth (its own path). */
  session: string;
  interaction: string;
  resume: string;
  /** The browser binding of BankID orders (interaction/browser.ts). */
  device: string;
  demo: string;
  /** The console's session, scoped to /admin (its language cookie is only a preference, and stays plain). */
  console: string;
}

export function cookieNames(issuer: string): CookieNames {
  const url = new URL(issuer);
  const https = url.protocol === 'https:';
  const atRoot = url.pathname === '/';
  // The leading underscore only marked oidc-provider's own names; a prefix says more.
  const name = (plain: string, path: 'root' | 'narrower') => !https ? plain : `${atRoot && path === 'root' ? '__Host-' : '__Secure-'}${plain.replace(/^_/, '')}`;
  return {
    session: name('_session', 'root'),
    interaction: name('_interaction', 'narrower'),
    resume: name('_interaction_resume', 'narrower'),
    device: name('brygga_device', 'root'),
    demo: name('brygga_demo', 'root'),
    console: name('brygga_console', 'narrower'),
  };
}
