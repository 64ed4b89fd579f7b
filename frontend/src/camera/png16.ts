// Decodes a 16-bit greyscale PNG (the renderer's depth map, millimetres) into its real values.
// An <img> or canvas would give only the high 8 bits (≈ 26 cm steps); this keeps every millimetre.
// Only what the depth output uses is supported: colour type 0, bit depth 16, no interlace.

export interface Gray16 {
  width: number;
  height: number;
  data: Uint16Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export async function decodeGray16(bytes: ArrayBuffer): Promise<Gray16 | null> {
  const view = new DataView(bytes);
  const u8 = new Uint8Array(bytes);
  if (!SIGNATURE.every((b, i) => u8[i] === b)) return null;
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (offset + 8 <= u8.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...u8.subarray(offset + 4, offset + 8));
    const body = u8.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      const [depth, colour, , , interlace] = body.subarray(8, 13);
      if (depth !== 16 || colour !== 0 || interlace !== 0) return null;
    } else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    offset += 12 + length;
  }
  if (!width || !height || !idat.length) return null;
  const stream = new Blob(idat as BlobPart[]).stream().pipeThrough(new DecompressionStream("deflate"));
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const stride = width * 2;
  if (raw.length < (stride + 1) * height) return null;
  const out = new Uint8Array(stride * height);
  const bpp = 2;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    const prior = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[prior + x] : 0;
      const c = x >= bpp && y > 0 ? out[prior + x - bpp] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[row + x] = (line[x] + predictor) & 0xff;
    }
  }
  const data = new Uint16Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (out[i * 2] << 8) | out[i * 2 + 1];
  return { width, height, data };
}
