// What a printed shot list or storyboard says at the top of its pages (the print stylesheet in
// styles.css shows it and hides the studio's controls).

export function printHeading(project: string, what: string, now = new Date()): string {
  const day = now.toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" });
  return `${project} · ${what} · ${day}`;
}
