// Types of qr.js for the server's TypeScript (the file itself is plain JavaScript, served to browsers as it is).
export declare function encode(text: string): { size: number; modules: Uint8Array; version: number; mask: number };
export declare function qrSvg(text: string): string;
