/**
 * The oidc.se User Message extension (`https://id.oidc.se/param/userMessage`): a client-supplied text shown to the
 * person during login, which Brygga hands to BankID as `userVisibleData`.
 */
export const USER_MESSAGE_PARAM = 'https://id.oidc.se/param/userMessage';
export const USER_MESSAGE_MIME_TYPES = ['text/plain', 'text/markdown'] as const;

export interface UserMessage {
  /** Texts by locale tag; '' is the untagged default. */
  messages: Record<string, string>;
  mimeType: (typeof USER_MESSAGE_MIME_TYPES)[number];
}

export class UserMessageError extends Error {
  override name = 'UserMessageError';
}

/**
 * BankID's limits on `userVisibleData`, measured on the base64 string: 1 500 for an identification (about 1 100 bytes
 * of text), 40 000 for a signature (RP API v6 2.1, 2.2).
 */
export const BANKID_TEXT_MAX_BASE64 = { auth: 1500, sign: 40_000 } as const;

/** Why BankID would refuse this text as `userVisibleData`, as a phrase; undefined when it fits. */
export function bankIdTextProblem(text: string, max: number = BANKID_TEXT_MAX_BASE64.auth): string | undefined {
  return Buffer.from(text, 'utf8').toString('base64').length <= max
    ? undefined : `is too long for BankID (at most ${max} characters once base64-encoded, about ${Math.floor(max * 3 / 4)} bytes)`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBase64Text(value: unknown, key: string, max: number): string {
  const invalid = new UserMessageError(`${key} must be base64-encoded UTF-8 text`);
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw invalid;
  let text: string;
  try {
    text = utf8.decode(Buffer.from(value, 'base64'));
  } catch {
    throw invalid;
  }
  if (!text.trim()) throw new UserMessageError(`${key} is empty`);
  const problem = bankIdTextProblem(text, max);
  if (problem) throw new UserMessageError(`${key} ${problem}`);
  return text;
}

/** Parses the parameter's JSON; throws UserMessageError with a description fit for `invalid_request`. */
export function parseUserMessage(raw: string): UserMessage {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UserMessageError(`${USER_MESSAGE_PARAM} must be a JSON object`);
  }
  return userMessageFrom(json, USER_MESSAGE_PARAM, BANKID_TEXT_MAX_BASE64.auth);
}

/**
 * A userMessage object already parsed from JSON (also the `sign_message` of a signRequest), named `name` in errors;
 * each text must fit `max` characters of base64.
 */
export function userMessageFrom(json: unknown, name: string, max: number): UserMessage {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserMessageError(`${name} must be a JSON object`);
  const object = json as Record<string, unknown>;
  const mimeType = (object.mime_type ?? 'text/plain') as UserMessage['mimeType'];
  if (!USER_MESSAGE_MIME_TYPES.includes(mimeType)) throw new UserMessageError(`mime_type ${String(object.mime_type)} is not supported (use text/plain or text/markdown)`);
  const messages: Record<string, string> = {};
  for (const [key, value] of Object.entries(object)) {
    const match = /^message(?:#([A-Za-z-]+))?$/.exec(key);
    if (match) messages[match[1]?.toLowerCase() ?? ''] = decodeBase64Text(value, key, max);
  }
  if (!Object.keys(messages).length) throw new UserMessageError(`${name} has no message`);
  return { messages, mimeType };
}

/** The text for the page's language, else the untagged one, else any. */
export function messageFor(message: UserMessage, locale: string): string {
  return message.messages[locale] ?? message.messages[''] ?? Object.values(message.messages)[0]!;
}
