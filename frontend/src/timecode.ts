// Frame rates and SMPTE timecode: the TypeScript twin of previs/timecode.py (read its notes),
// held to it by golden vectors (timecode.vectors.json, checked by timecode.test.ts).
// Every view that shows a frame rate or timecode uses this module.

const NTSC_NOMINAL_RATES = [24, 30, 48, 60, 120];

function ntscNominal(fps: string | number): number | null {
  const value = Number(fps);
  return NTSC_NOMINAL_RATES.find((nominal) => Math.abs(value - (nominal * 1000) / 1001) < 0.005) ?? null;
}

/** The exact rate in frames per second: 23.976 is 24000/1001, 29.97 is 30000/1001. */
export function frameRate(fps: string | number): number {
  const nominal = ntscNominal(fps);
  return nominal != null ? (nominal * 1000) / 1001 : Number(fps);
}

/** Frames per second of timecode: 23.976 counts as 24, 29.97 as 30. */
export function nominalRate(fps: string | number): number {
  return Math.round(Number(fps));
}

/** Frame numbers skipped each minute: 2 at 29.97, 4 at 59.94, else none. */
function droppedPerMinute(fps: string | number): number {
  const nominal = ntscNominal(fps);
  return nominal === 30 ? 2 : nominal === 60 ? 4 : 0;
}

/** HH:MM:SS:FF of an integer frame number (the first frame is 0); HH:MM:SS;FF in drop-frame. */
export function timecode(frame: number, fps: string | number): string {
  const rate = nominalRate(fps);
  const drop = droppedPerMinute(fps);
  let n = Math.max(0, Math.floor(frame));
  if (drop) {
    const per10 = rate * 600 - drop * 9;
    const perMinute = rate * 60 - drop;
    const rest = n % per10;
    n += drop * 9 * Math.floor(n / per10);
    if (rest > drop) n += drop * Math.floor((rest - drop) / perMinute);
  }
  const pad = (v: number) => String(v).padStart(2, "0");
  const ff = n % rate;
  const ss = Math.floor(n / rate) % 60;
  const mm = Math.floor(n / (rate * 60)) % 60;
  const hh = Math.floor(n / (rate * 3600));
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}${drop ? ";" : ":"}${pad(ff)}`;
}

/** Whole frames in a duration at the exact rate, halves rounded up (at least one). */
export function framesIn(durationS: number, fps: string | number): number {
  return Math.max(1, Math.floor(durationS * frameRate(fps) + 0.5));
}

/** What the timecode readout says about its counting (a tooltip). */
export function timecodeTitle(fps: string | number): string {
  const rate = nominalRate(fps);
  if (droppedPerMinute(fps)) return `SMPTE drop-frame timecode at ${fps} fps: frame numbers are skipped each minute (not each tenth) so timecode keeps to the clock.`;
  if (ntscNominal(fps) != null) return `SMPTE timecode, non-drop-frame: ${rate} frames per timecode second while the media runs at ${fps} fps, so timecode drifts from the clock by 0.1 %.`;
  return `SMPTE timecode at ${rate} fps.`;
}
