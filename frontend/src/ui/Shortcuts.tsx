// The keyboard in the project pages: "?" opens a sheet of the shortcuts the studio really has
// (each one is handled where it is listed: Project.tsx, ShotList.tsx, FastEntry.tsx, EditCell.tsx,
// CameraDrawer.tsx, Finding.tsx), and a skip link, the first tab stop, jumps past the header.
import { useEffect, useRef, useState } from "preact/hooks";

const SECTIONS: { title: string; keys: [string[], string][] }[] = [
  {
    title: "Anywhere in a project",
    keys: [
      [["Ctrl+Z", "⌘Z"], "Undo your last change"],
      [["Ctrl+Shift+Z", "Ctrl+Y"], "Redo"],
      [["?"], "This sheet"],
    ],
  },
  {
    title: "Shot list",
    keys: [
      [["/"], "Search scenes, shots, dialogue and notes"],
      [["← → ↑ ↓"], "Move between cells"],
      [["Enter", "F2"], "Edit the cell"],
      [["Enter"], "Save the edit"],
      [["Shift+Enter"], "New line in a long text"],
      [["Tab", "Shift+Tab"], "Save and move to the next / previous cell"],
      [["Esc"], "Cancel the edit"],
      [["Alt+↑", "Alt+↓"], "Move the shot up / down"],
      [["Ctrl+D", "⌘D"], "Duplicate the shot (the copy lands right after it)"],
      [["A–Z", "0–9"], "On a size, framing, angle, move or rig cell: type its code or name (MCU, ots, dolly), ↑/↓ choose, Enter takes it"],
      [["C"], "Open the shot's camera (on those coded cells C is typed)"],
      [["Ctrl+V", "⌘V"], "Paste rows from a spreadsheet as new shots after the focused one"],
    ],
  },
  {
    title: "Camera panel",
    keys: [[["Esc"], "Close the panel"]],
  },
];

function sectionsWith(tabs: readonly { label: string; key: string }[]): typeof SECTIONS {
  const [anywhere, ...rest] = SECTIONS;
  const tabKeys: [string[], string][] = tabs.map((t) => [[`Alt+${t.key}`], t.label]);
  return [{ ...anywhere, keys: [...anywhere.keys.slice(0, 2), ...tabKeys, ...anywhere.keys.slice(2)] }, ...rest];
}

const inField = (target: EventTarget | null) => !!(target as HTMLElement | null)?.closest?.("input, textarea, select, [contenteditable], .cell-editing");

/** `tabs`: the project's tabs with their Alt+digit keys (Project.tsx's list, so a new tab is listed). */
export function ShortcutSheet({ tabs }: { tabs: readonly { label: string; key: string }[] }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey || inField(event.target)) return;
      event.preventDefault();
      setOpen(true);
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => {
    if (open && !dialog.current?.open) dialog.current?.showModal();
  }, [open]);

  if (!open) return null;
  return (
    <dialog ref={dialog} class="shortcut-sheet" aria-labelledby="shortcut-sheet-title" data-testid="shortcut-sheet" onClose={() => setOpen(false)}>
      <div class="shortcut-head">
        <h2 id="shortcut-sheet-title">Keyboard shortcuts</h2>
        <button class="btn btn-ghost btn-small" onClick={() => dialog.current?.close()} data-testid="shortcut-sheet-close">Close</button>
      </div>
      {sectionsWith(tabs).map((section) => (
        <section key={section.title}>
          <h3>{section.title}</h3>
          <dl>
            {section.keys.map(([keys, what]) => (
              <div class="shortcut" key={what}>
                <dt>{keys.map((key, i) => <>{i > 0 && " or "}<kbd>{key}</kbd></>)}</dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </dialog>
  );
}

/** The first tab stop of a project page: straight to its content (on the shot list, into the grid). */
export function SkipLink({ label, target }: { label: string; target: () => boolean }) {
  return (
    <a class="skip-link" href="#content" data-testid="skip-link"
      onClick={(event) => {
        if (target()) event.preventDefault();
      }}>
      {label}
    </a>
  );
}
