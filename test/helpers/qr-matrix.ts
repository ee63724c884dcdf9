/** QR codes read back into modules, to check an encoding against the `qrcode` package (a well-used encoder). */
import QRCode, { type QRCodeMaskPattern } from 'qrcode';

export interface Modules { size: number; modules: Uint8Array }

/** `text` as the `qrcode` package encodes it in byte mode, level L, with the given mask. */
export function referenceQr(text: string, mask: number): Modules & { version: number } {
  const code = QRCode.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], { errorCorrectionLevel: 'L', maskPattern: mask as QRCodeMaskPattern });
  return { size: code.modules.size, modules: Uint8Array.from(code.modules.data), version: code.version };
}

/** The modules of an SVG drawn by views/assets/qr.js: its runs of dark modules, less the quiet zone of 2. */
export function modulesOfSvg(svg: string): Modules {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path fill="#000" d="([^"]*)"/.exec(svg)?.[1];
  if (!side || d === undefined) throw new Error(`not an SVG of views/assets/qr.js: ${svg.slice(0, 120)}`);
  const size = side - 4;
  const modules = new Uint8Array(size * size);
  for (const [, x, y, run] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let i = 0; i < Number(run); i++) modules[(Number(y) - 2) * size + Number(x) - 2 + i] = 1;
  }
  return { size, modules };
}

/** Whether `code` is `text` in byte mode at level L under one of the eight masks. */
export function isQrOf(code: Modules, text: string): boolean {
  return [0, 1, 2, 3, 4, 5, 6, 7].some((mask) => {
    const ref = referenceQr(text, mask);
    return ref.size === code.size && Buffer.from(ref.modules).equals(Buffer.from(code.modules));
  });
}
