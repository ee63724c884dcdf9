/**
 * Same-device start (rp-api-v6.md §7): the link that opens the BankID app with the autoStartToken, and where
 * the app sends the user afterwards. A server-side `returnUrl` on the order overrides `redirect`; the links
 * built here stay valid either way.
 */

export type DeviceOs = 'ios' | 'android' | 'windows' | 'macos' | 'linux' | 'other';
export type DeviceBrowser = 'safari' | 'chrome' | 'firefox' | 'edge' | 'samsung' | 'opera' | 'other';

export interface Device {
  mobile: boolean;
  os: DeviceOs;
  browser: DeviceBrowser;
}

export interface LaunchOptions {
  autoStartToken: string;
  userAgent: string;
  /** The page to come back to on iOS, where the app cannot just return to the previous app. */
  returnUrl?: string;
}

export interface LaunchUrl {
  url: string;
  kind: 'universal' | 'scheme';
  /** The browser opens the app only from a tap or click, not from script navigation. */
  requiresUserGesture: boolean;
}

const OS_RULES: [RegExp, DeviceOs][] = [
  [/iPhone|iPad|iPod/, 'ios'],
  [/Android/, 'android'],
  [/Windows/, 'windows'],
  [/Macintosh|Mac OS X/, 'macos'],
  [/Linux|X11|CrOS/, 'linux'],
];

// Order matters: Edge, Samsung and Opera user agents also say "Chrome", and nearly all say "Safari".
const BROWSER_RULES: [RegExp, DeviceBrowser][] = [
  [/\bEdg(e|A|iOS)?\//, 'edge'],
  [/SamsungBrowser\//, 'samsung'],
  [/\bOPR\/|\bOPT\/|OPiOS\/|\bOpera\b/, 'opera'],
  [/Firefox\/|FxiOS\//, 'firefox'],
  [/Chrome\/|CriOS\//, 'chrome'],
  [/Version\/[\d.]+.*Safari\//, 'safari'],
];

function firstMatch<T extends string>(rules: [RegExp, T][], userAgent: string): T | undefined {
  return rules.find(([pattern]) => pattern.test(userAgent))?.[1];
}

export function detectDevice(userAgent: string): Device {
  const os = firstMatch(OS_RULES, userAgent) ?? 'other';
  // iOS browsers other than Safari all say "Safari" but not "Version/…": they are recognised above or stay 'other'.
  const browser = firstMatch(BROWSER_RULES, userAgent) ?? 'other';
  return { mobile: os === 'ios' || os === 'android' || /Mobi/.test(userAgent), os, browser };
}

/** The app link works on iOS and on Android 6+ in Chrome and Edge; elsewhere only the custom scheme does. */
function canUseUniversalLink(device: Device, userAgent: string): boolean {
  if (device.os === 'ios') return true;
  if (device.os !== 'android' || (device.browser !== 'chrome' && device.browser !== 'edge')) return false;
  const version = /Android (\d+)/.exec(userAgent);
  return !version || Number(version[1]) >= 6;
}

/** `null` makes the app return to the previous app; iOS needs a URL that reopens the browser instead. */
function redirectFor(device: Device, returnUrl: string | undefined): string {
  if (device.os !== 'ios') return 'null';
  switch (device.browser) {
    case 'chrome': return 'googlechrome://';
    case 'firefox': return 'firefox://';
    case 'opera': return returnUrl ? `touch-${returnUrl}` : 'null';
    default: return returnUrl ?? 'null';
  }
}

const GESTURE_BROWSERS: ReadonlySet<DeviceBrowser> = new Set(['chrome', 'edge', 'samsung']);

export function launchUrl(options: LaunchOptions): LaunchUrl {
  const device = detectDevice(options.userAgent);
  const kind = canUseUniversalLink(device, options.userAgent) ? 'universal' : 'scheme';
  const base = kind === 'universal' ? 'https://app.bankid.com/' : 'bankid:///';
  const query = `autostarttoken=${encodeURIComponent(options.autoStartToken)}&redirect=${encodeURIComponent(redirectFor(device, options.returnUrl))}`;
  // Universal links open the app only from a user's tap; on Android, Chrome-family browsers also block scripted scheme launches.
  const requiresUserGesture = device.os === 'ios' || (device.os === 'android' && GESTURE_BROWSERS.has(device.browser));
  return { url: `${base}?${query}`, kind, requiresUserGesture };
}
