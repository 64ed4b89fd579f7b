/** Seconds as m:ss.t, the way a running time reads on a shot list. */
export function formatDuration(seconds: number): string {
  const whole = Math.floor(seconds);
  const tenths = Math.round((seconds - whole) * 10);
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return `${m}:${String(s).padStart(2, "0")}${tenths ? `.${tenths}` : ""}`;
}
