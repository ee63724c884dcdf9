/** oidc-provider's own JWS verification (lib/helpers/jwt.js), used with a client's keystore as for request objects. */
declare module 'oidc-provider/lib/helpers/jwt.js' {
  export function verify(jwt: string, keystore: unknown, options?: { algorithm?: string }): Promise<{ payload: Record<string, unknown>; header: Record<string, unknown> }>;
}
