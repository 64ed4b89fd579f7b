// The picture that stands for a shot in the shot list: what an honest review shows as the shot's
// first slide (apps/review/selectors.py: slides). The first panel's chosen image; a first panel
// without one, or a shot without panels, shows the shot's newest finished frame render. One rule,
// so the shot list never shows a different picture from the one the client is shown.

export interface ShotPicture {
  url: string;
  /** A chosen panel image, or a render standing in for it. */
  from: "panel" | "render";
}

export function shotPicture(shot: { panels: readonly { image_url: string | null }[] }, latestFrame: { url: string } | undefined): ShotPicture | null {
  const first = shot.panels[0];
  if (first?.image_url) return { url: first.image_url, from: "panel" };
  return latestFrame ? { url: latestFrame.url, from: "render" } : null;
}
