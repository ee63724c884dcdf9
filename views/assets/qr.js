// QR code encoder (ISO/IEC 18004) for the BankID page, written for Brygga (Apache-2.0): byte mode, error correction
// level L, versions 1–40, the mask chosen by the standard's four penalty rules. One plain ES module, no dependencies:
// the page script draws every frame with it, and the server the image that pages without JavaScript show
// (src/interaction/actions/qr-image.ts).

// Level L per version 1–40: error-correction codewords per block, and number of blocks (ISO/IEC 18004 table 9).
const EC_PER_BLOCK = [7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30];
const BLOCKS = [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25];
const LEVEL_L = 1; // its two bits in the format information
const QUIET_ZONE = 2; // modules of white around the code, as the server's SVG always had

/** The modules of `text` (UTF-8): `size` × `size`, row by row, 1 = dark. */
export function encode(text) {
  const bytes = new TextEncoder().encode(text);
  const version = versionFor(bytes.length);
  const code = new Code(version);
  code.place(withErrorCorrection(dataCodewords(bytes, version), version));
  const mask = bestMask(code);
  code.applyMask(mask);
  code.drawFormat(mask);
  return { size: code.size, modules: code.modules, version, mask };
}

/** `text` as an SVG image that scales without blur (one path of dark runs over a white square). */
export function qrSvg(text) {
  const { size, modules } = encode(text);
  let d = '';
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!modules[y * size + x]) continue;
      let run = 1;
      while (x + run < size && modules[y * size + x + run]) run++;
      d += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h${run}v1h-${run}z`;
      x += run;
    }
  }
  const n = size + 2 * QUIET_ZONE;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges"><path fill="#fff" d="M0 0h${n}v${n}H0z"/><path fill="#000" d="${d}"/></svg>`;
}

const rawModules = (v) => {
  // Modules left for codewords once the function patterns are drawn.
  let n = (16 * v + 128) * v + 64;
  if (v >= 2) {
    const align = Math.floor(v / 7) + 2;
    n -= (25 * align - 10) * align - 55;
    if (v >= 7) n -= 36;
  }
  return n;
};
const totalCodewords = (v) => Math.floor(rawModules(v) / 8);
const dataCapacity = (v) => totalCodewords(v) - EC_PER_BLOCK[v - 1] * BLOCKS[v - 1];
const countBits = (v) => (v < 10 ? 8 : 16);

function versionFor(length) {
  for (let v = 1; v <= 40; v++) if (4 + countBits(v) + 8 * length <= 8 * dataCapacity(v)) return v;
  throw new RangeError(`QR: ${length} bytes do not fit in a version 40 code`);
}

function dataCodewords(bytes, version) {
  const bits = [];
  const push = (value, count) => { for (let i = count - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  push(0b0100, 4); // byte mode
  push(bytes.length, countBits(version));
  for (const b of bytes) push(b, 8);
  const capacity = 8 * dataCapacity(version);
  push(0, Math.min(4, capacity - bits.length)); // terminator
  push(0, (8 - (bits.length % 8)) % 8);
  const out = [];
  for (let i = 0; i < bits.length; i += 8) out.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));
  for (let pad = 0xec; out.length < capacity / 8; pad ^= 0xec ^ 0x11) out.push(pad);
  return out;
}

// Reed–Solomon over GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1.
function gfMultiply(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z;
}

function rsDivisor(degree) {
  const divisor = new Uint8Array(degree);
  divisor[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      divisor[j] = gfMultiply(divisor[j], root);
      if (j + 1 < degree) divisor[j] ^= divisor[j + 1];
    }
    root = gfMultiply(root, 2);
  }
  return divisor;
}

function rsRemainder(data, divisor) {
  const rem = new Uint8Array(divisor.length);
  for (const b of data) {
    const factor = b ^ rem[0];
    rem.copyWithin(0, 1);
    rem[rem.length - 1] = 0;
    for (let i = 0; i < rem.length; i++) rem[i] ^= gfMultiply(divisor[i], factor);
  }
  return rem;
}

/** Splits the data into blocks, adds each block's error correction, and interleaves them. */
function withErrorCorrection(data, version) {
  const blocks = BLOCKS[version - 1];
  const ecLength = EC_PER_BLOCK[version - 1];
  const total = totalCodewords(version);
  const shortBlocks = blocks - (total % blocks);
  const shortData = Math.floor(total / blocks) - ecLength;
  const divisor = rsDivisor(ecLength);
  const parts = [];
  for (let i = 0, at = 0; i < blocks; i++) {
    const part = data.slice(at, (at += shortData + (i < shortBlocks ? 0 : 1)));
    parts.push({ data: part, ec: rsRemainder(part, divisor) });
  }
  const out = [];
  for (let i = 0; i <= shortData; i++) for (const p of parts) if (i < p.data.length) out.push(p.data[i]);
  for (let i = 0; i < ecLength; i++) for (const p of parts) out.push(p.ec[i]);
  return out;
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

class Code {
  constructor(version) {
    this.version = version;
    this.size = version * 4 + 17;
    this.modules = new Uint8Array(this.size * this.size);
    this.reserved = new Uint8Array(this.size * this.size); // function patterns: no data, no mask
    this.drawFunctionPatterns();
  }

  set(x, y, dark) {
    const i = y * this.size + x;
    this.modules[i] = dark ? 1 : 0;
    this.reserved[i] = 1;
  }

  drawFunctionPatterns() {
    const size = this.size;
    for (let i = 0; i < size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
      // Finder pattern with its light separator.
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          const ring = Math.max(Math.abs(dx), Math.abs(dy));
          if (x >= 0 && x < size && y >= 0 && y < size) this.set(x, y, ring !== 2 && ring !== 4);
        }
      }
    }
    const centres = alignmentCentres(this.version);
    const last = centres.length - 1;
    for (let i = 0; i <= last; i++) {
      for (let j = 0; j <= last; j++) {
        if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue; // the finders' corners
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) this.set(centres[i] + dx, centres[j] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
    this.drawFormat(0); // reserves the format areas; the real bits come after masking
    if (this.version >= 7) {
      let rem = this.version;
      for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
      const bits = (this.version << 12) | rem;
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, dark);
        this.set(b, a, dark);
      }
    }
  }

  drawFormat(mask) {
    const size = this.size;
    const data = (LEVEL_L << 3) | mask;
    let rem = data;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    const bits = ((data << 10) | rem) ^ 0x5412;
    const bit = (i) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
    this.set(8, size - 8, true); // the dark module
  }

  /** Codeword bits in the standard's zigzag: two-module columns from the right, up and down, skipping the timing column. */
  place(codewords) {
    const size = this.size;
    let i = 0;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let step = 0; step < size; step++) {
        const y = upward ? size - 1 - step : step;
        for (let j = 0; j < 2; j++) {
          const at = y * size + right - j;
          if (this.reserved[at] || i >= codewords.length * 8) continue;
          this.modules[at] = (codewords[i >>> 3] >>> (7 - (i & 7))) & 1;
          i++;
        }
      }
    }
  }

  applyMask(mask) {
    const size = this.size;
    const invert = MASKS[mask];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const at = y * size + x;
        if (!this.reserved[at] && invert(x, y)) this.modules[at] ^= 1;
      }
    }
  }
}

function alignmentCentres(version) {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const centres = [6];
  for (let at = version * 4 + 10; centres.length < count; at -= step) centres.splice(1, 0, at);
  return centres;
}

/** The mask whose result scores the lowest penalty (the mask is applied twice: XOR undoes it). */
function bestMask(code) {
  let best = 0;
  let lowest = Infinity;
  for (let mask = 0; mask < 8; mask++) {
    code.applyMask(mask);
    code.drawFormat(mask);
    const score = penalty(code.modules, code.size);
    code.applyMask(mask);
    if (score < lowest) {
      lowest = score;
      best = mask;
    }
  }
  return best;
}

// ISO/IEC 18004 §7.8.3: runs of five or more (N1 = 3, +1 per module more), 2×2 blocks (N2 = 3), the finder-like
// 1:1:3:1:1 with four light modules on either side, where outside the code counts as light (N3 = 40), and dark
// modules away from half in steps of 5 % (N4 = 10 per step). Plain loops: this runs eight times per code.
function penalty(modules, size) {
  let score = 0;
  let dark = 0;
  for (let a = 0; a < size; a++) score += lineScore(modules, a * size, 1, size) + lineScore(modules, a, size, size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const at = y * size + x;
      const m = modules[at];
      dark += m;
      if (x < size - 1 && y < size - 1 && m === modules[at + 1] && m === modules[at + size] && m === modules[at + size + 1]) score += 3;
    }
  }
  const total = size * size;
  return score + 10 * Math.floor(Math.abs(dark * 20 - total * 10) / total);
}

/** N1 and N3 of one row or column: `size` modules from `start`, `stride` apart. */
function lineScore(modules, start, stride, size) {
  let score = 0;
  let run = 0;
  let last = -1;
  let window = 0; // the last 11 modules, four light ones assumed beyond each end
  for (let i = -4; i < size + 4; i++) {
    const inside = i >= 0 && i < size;
    const m = inside ? modules[start + i * stride] : 0;
    if (inside && m === last) run++;
    else if (inside) {
      if (run >= 5) score += run - 2;
      last = m;
      run = 1;
    }
    window = ((window << 1) & 0x7ff) | m;
    if (i >= 6 && (window === 0b10111010000 || window === 0b00001011101)) score += 40;
  }
  if (run >= 5) score += run - 2;
  return score;
}
