/** Page steps the console's routes share: reading a form, and showing the API's field errors next to the fields. */
import type { Context } from 'koa';
import { AdminInputError } from '../admin/errors.ts';
import { readForm, readLimited } from '../http/form.ts';
import { errorsByField, type FormField } from './forms.ts';
import { checkCsrf } from './sign-in.ts';

/** A PKCS#12 is a few kilobytes; the upload's base64 limit in the API is 48 000 characters. */
const UPLOAD_LIMIT = 64 * 1024;

/** The form's text fields, its CSRF token checked. */
export async function postedForm(ctx: Context): Promise<Record<string, string>> {
  const form = await readForm(ctx);
  checkCsrf(ctx, form);
  return form;
}

/** A multipart form (a file upload): its text fields and its files' bytes, its CSRF token checked. */
export async function postedUpload(ctx: Context): Promise<{ fields: Record<string, string>; files: Record<string, Buffer> }> {
  if (!ctx.is('multipart/form-data')) ctx.throw(400, 'The upload must be sent as multipart/form-data.');
  const body = await readLimited(ctx, UPLOAD_LIMIT);
  const data = await new Response(new Uint8Array(body), { headers: { 'content-type': ctx.get('content-type') } }).formData().catch(() => ctx.throw(400, 'The upload is not a valid form.'));
  const fields: Record<string, string> = {};
  const files: Record<string, Buffer> = {};
  for (const [name, value] of data) {
    if (typeof value === 'string') fields[name] = value;
    else files[name] = Buffer.from(await value.arrayBuffer());
  }
  checkCsrf(ctx, fields);
  return { fields, files };
}

/**
 * Runs a change; the API's field errors re-render the form (`show`) with the errors by its fields and the input kept.
 * Any other error goes on to the error page.
 */
export async function withFieldErrors(ctx: Context, fields: readonly FormField[], change: () => Promise<void>, show: (errors: { byField: Record<string, string[]>; other: string[] }) => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (err) {
    if (!(err instanceof AdminInputError)) throw err;
    await show(errorsByField(fields, err.errors));
    ctx.status = 400;
  }
}
