/**
 * A small strict DER (X.690) reader: single-byte tags, definite lengths that stay inside their parent. The OCSP
 * response is read with it rather than with pkijs, whose schema-driven parsing cost more than everything else in a
 * verification together (issue 7).
 */
export interface Der {
  tag: number;
  /** The whole TLV. */
  bytes: Buffer;
  content: Buffer;
  children(): Der[];
}

/** The element at `offset`; throws when its header or content runs past the buffer. */
export function readDer(buffer: Buffer, offset = 0): Der {
  const tag = byteAt(buffer, offset);
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not read');
  let length = byteAt(buffer, offset + 1);
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('DER length of an unsupported form');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + byteAt(buffer, offset + 2 + i);
    header += count;
  }
  if (offset + header + length > buffer.length) throw new Error('DER element longer than its container');
  const bytes = buffer.subarray(offset, offset + header + length);
  const content = bytes.subarray(header);
  return {
    tag,
    bytes,
    content,
    children() {
      const items: Der[] = [];
      for (let at = 0; at < content.length;) {
        const child = readDer(content, at);
        items.push(child);
        at += child.bytes.length;
      }
      return items;
    },
  };
}

/** The element that is the whole buffer, with nothing after it. */
export function readWholeDer(buffer: Buffer): Der {
  const element = readDer(buffer);
  if (element.bytes.length !== buffer.length) throw new Error('bytes after the DER element');
  return element;
}

/** The children of a SEQUENCE; throws for anything else, a missing element too. */
export function sequence(element: Der | undefined): Der[] {
  if (element?.tag !== 0x30) throw new Error('a SEQUENCE was expected');
  return element.children();
}

/** Dotted form of an OBJECT IDENTIFIER element's content. */
export function oidOf(element: Der | undefined): string {
  if (element?.tag !== 0x06 || element.content.length === 0) throw new Error('not an OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of element.content) {
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    arcs.push(value);
    value = 0;
  }
  if (element.content.at(-1)! & 0x80) throw new Error('OBJECT IDENTIFIER cut short');
  const first = Math.min(Math.floor(arcs[0]! / 40), 2);
  return [first, arcs[0]! - first * 40, ...arcs.slice(1)].join('.');
}

function byteAt(buffer: Buffer, at: number): number {
  const byte = buffer[at];
  if (byte === undefined) throw new Error('DER element cut short');
  return byte;
}
