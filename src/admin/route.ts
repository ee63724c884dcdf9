/** One admin API operation, declared once: the router runs it and the OpenAPI document describes it from this. */
import type { z } from 'zod';
import type { Action } from './context.ts';

export interface AdminRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Below /admin/api, koa style (`/clients/:client_id`). */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** Readable without a token (the API description itself); everything else needs an admin. */
  public?: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success answers by status; the error answers every operation shares are added by the document. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  action: Action;
}
