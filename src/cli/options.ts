/** Options every command may take, taken out before the command parses its own flags. */
import { UsageError } from './usage.ts';

/** Removes `--name value` (or `--name=value`) from `args`; its value, if given. */
export function takeValue(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const [arg] = args.splice(i, 1);
  if (arg!.includes('=')) return arg!.slice(name.length + 3);
  const value = args.splice(i, 1)[0];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** Removes a `--name` switch from `args`; whether it was there. */
export function takeFlag(args: string[], name: string): boolean {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}

/** The JSON an option or a file named by one holds; not JSON is a usage error naming `what`. */
export function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}
