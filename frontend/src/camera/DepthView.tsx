// The depth output is a 16-bit PNG of planar z-depth in millimetres (0 = sky). It is decoded to
// its real values and shaded by inverse depth between the nearest and farthest surface in frame
// (near = light); the label says what the greys mean.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Asset } from "../api/types";
import { decodeGray16 } from "./png16";

interface Range {
  near: number;
  far: number;
}

export function DepthView({ asset, alt }: { asset: Asset; alt: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [range, setRange] = useState<Range | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let live = true;
    setRange(null);
    setFailed(false);
    (async () => {
      const response = await fetch(asset.url, { credentials: "same-origin" });
      const depth = response.ok ? await decodeGray16(await response.arrayBuffer()) : null;
      if (!live) return;
      if (!depth || !canvas.current) return setFailed(true);
      setRange(shade(depth.data, depth.width, depth.height, canvas.current));
    })().catch(() => live && setFailed(true));
    return () => void (live = false);
  }, [asset.url]);

  return (
    <figure class="out out-depth" data-testid="camera-out-depth">
      <div class="out-frame">
        {/* The stored asset itself (also the fallback picture if it cannot be decoded here). */}
        <img src={asset.url} alt={alt} class={failed ? "depth-raw" : "visually-hidden"} data-testid="camera-depth-image" />
        <canvas ref={canvas} class={failed ? "visually-hidden" : ""} data-testid="camera-depth-canvas" />
      </div>
      <figcaption title="Planar z-depth from the 16-bit PNG (millimetres), shaded by inverse depth between the nearest and farthest surface; sky / nothing is black">
        <b>Depth</b>
        {range ? <span class="muted"> · near {(range.near / 1000).toFixed(2)} m → far {range.far >= 65535 ? "≥ " : ""}{(range.far / 1000).toFixed(1)} m</span> : failed ? <span class="muted"> · raw 16-bit (brightened)</span> : null}
      </figcaption>
    </figure>
  );
}

function shade(data: Uint16Array, width: number, height: number, canvas: HTMLCanvasElement): Range {
  let near = Infinity;
  let far = 0;
  for (const mm of data) {
    if (mm === 0) continue;
    if (mm < near) near = mm;
    if (mm > far) far = mm;
  }
  if (!Number.isFinite(near)) near = far = 1;
  const inverseNear = 1 / near;
  const inverseFar = 1 / Math.max(far, near + 1);
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d")!;
  const image = context.createImageData(width, height);
  for (let i = 0; i < data.length; i++) {
    const mm = data[i];
    const value = mm === 0 ? 0 : 24 + 231 * ((1 / mm - inverseFar) / (inverseNear - inverseFar));
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = value;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return { near, far };
}
