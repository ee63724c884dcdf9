/**
 * What the interaction handlers share: their dependencies, the per-request state the steps fill in (the
 * interaction, its client, the page language, the checked form), and the URLs of one interaction's pages.
 */
import type { Context, Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { Config } from '../config/load.ts';
import type { CounterState } from '../limits/limiter.ts';
import { singleParam } from '../http/params.ts';
import { negotiateLocale, type Locale } from '../i18n/texts.ts';
import type { Logger } from '../observability/logger.ts';
import type { OrderFlow } from '../orders/flow.ts';
import type { StartCounters } from '../storage/interaction-context.ts';
import type { StreamHub } from './stream-hub.ts';

export interface InteractionDeps {
  config: Config;
  provider: () => Provider;
  orders: OrderFlow;
  /** This process's open status streams. */
  streams: StreamHub;
  csrfSecret: string;
  logger: Logger;
  /**
   * Reads the interaction and polls its latest order in one statement, for the provider's read and the order flow's
   * poll of this request (storage/interaction-context.ts); `render` counts a render of the order page; `starts`
   * counts an order start, whose counts it returns.
   */
  loadWithOrder(uid: string, render: boolean, starts?: StartCounters): Promise<CounterState[] | undefined>;
}

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
export type ProviderClient = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

export interface InteractionState {
  uid: string;
  /** This deployment's name of the device cookie (security/cookie-names.ts). */
  deviceCookie: string;
  interaction?: Details;
  client?: ProviderClient;
  form?: Record<string, string>;
  /** An order start's rate-limit counts, taken when the interaction was loaded (steps/limit-starts.ts). */
  startCounts?: CounterState[];
}

/** A handler or step of the interaction routes, made from the shared dependencies. */
export type Action = (deps: InteractionDeps) => Middleware;

export function stateOf(ctx: Context): InteractionState {
  return ctx.state as InteractionState;
}

/** The loaded interaction; only after the `loadInteraction` step. */
export function interactionOf(ctx: Context): Details {
  return stateOf(ctx).interaction!;
}

/** The interaction's client; only after the `loadClient` step. */
export function clientOf(ctx: Context): ProviderClient {
  return stateOf(ctx).client!;
}

/** The person's own choice (`?lang=`) wins, then the client's `ui_locales`, then Accept-Language. */
export function localeOf(ctx: Context): Locale {
  return negotiateLocale({
    lang: singleParam(ctx, 'lang'),
    uiLocales: stateOf(ctx).interaction?.params.ui_locales as string | undefined,
    acceptLanguage: ctx.get('accept-language'),
  });
}

export function urls(uid: string, locale: Locale) {
  return {
    page: `/interaction/${uid}`,
    startUrl: `/interaction/${uid}/start`,
    statusUrl: `/interaction/${uid}/status?lang=${locale}`,
    eventsUrl: `/interaction/${uid}/events?lang=${locale}`,
    abortUrl: `/interaction/${uid}/abort`,
    cancelOrderUrl: `/interaction/${uid}/cancel-order`,
    consentUrl: `/interaction/${uid}/consent`,
  };
}

/** Hands the result to oidc-provider and sends the browser on (303, so a POST becomes a GET). */
export async function finish(deps: InteractionDeps, ctx: Context, result: InteractionResults): Promise<void> {
  const redirectTo = await deps.provider().interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
