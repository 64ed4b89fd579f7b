// SMPTE timecode of integer frame numbers, as previs/timecode.py writes it: 23.976 counts at a
// nominal 24 (non-drop), 29.97 and 59.94 use drop-frame timecode with ';' before the frames.
const DROP_FRAMES: Record<string, number> = { "29.97": 2, "59.94": 4 };

/** The real rate: 23.976 is 24000/1001, 29.97 is 30000/1001. */
export function frameRate(fps: string): number {
  if (fps === "23.976" || fps === "29.97" || fps === "59.94") return (Math.round(Number(fps)) * 1000) / 1001;
  return Number(fps);
}

export function timecode(frame: number, fps: string): string {
  const rate = Math.round(Number(fps));
  const drop = DROP_FRAMES[fps] ?? 0;
  let n = Math.max(0, Math.floor(frame));
  if (drop) {
    const per10 = rate * 600 - drop * 9;
    const perMinute = rate * 60 - drop;
    const tens = Math.floor(n / per10);
    const rest = n % per10;
    n += drop * 9 * tens;
    if (rest > drop) n += drop * Math.floor((rest - drop) / perMinute);
  }
  const pad = (v: number) => String(v).padStart(2, "0");
  const ff = n % rate;
  const ss = Math.floor(n / rate) % 60;
  const mm = Math.floor(n / (rate * 60)) % 60;
  const hh = Math.floor(n / (rate * 3600));
  return `${pad(hh)}:${pad(mm)}:${pad(ss)}${drop ? ";" : ":"}${pad(ff)}`;
}
