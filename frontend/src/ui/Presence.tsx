// Who is in the project room: avatars in the header (one per person, with a count of their tabs)
// and other people's pointers on the storyboard grid.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useBoard } from "../state/context";
import type { Member } from "../state/protocol";

/** Dark or white initials, whichever reads better on a person's colour (WCAG AA asks 4.5:1; the
 *  room hands out colours from light to deep, so one fixed ink cannot do for all of them). */
export function inkOn(colour: string): string {
  const hex = /^#?([0-9a-f]{6})$/i.exec(colour.trim())?.[1];
  if (!hex) return "#111";
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  const onDark = 1.05 / (luminance + 0.05), onLight = (luminance + 0.05) / (0.0056 + 0.05); // white ink; #111 ink
  return onDark > onLight ? "#fff" : "#111";
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

export function Avatars() {
  const store = useBoard();
  const people = new Map<number, Member[]>();
  for (const member of store.members) people.set(member.user, [...(people.get(member.user) ?? []), member]);
  return (
    <span class="avatars" data-testid="avatars">
      {[...people.values()].map((tabs) => {
        const first = tabs[0];
        const mine = tabs.some((m) => m.session === store.session);
        const editing = tabs.find((m) => m.session !== store.session && m.focus)?.focus;
        const title = `${first.name}${mine ? " (you)" : ""} · ${first.role}${tabs.length > 1 ? ` · ${tabs.length} tabs` : ""}${editing ? ` · editing ${editing.entity} ${editing.field ?? ""}` : ""}`;
        return (
          <span key={first.user} class={`avatar ${mine ? "avatar-me" : ""}`} style={{ background: first.colour, color: inkOn(first.colour) }} title={title}
            data-testid={`avatar-${first.user}`} data-tabs={tabs.length}>
            {initials(first.name)}
            {tabs.length > 1 && <span class="avatar-count">{tabs.length}</span>}
          </span>
        );
      })}
    </span>
  );
}

/**
 * The storyboard grid with presence: reports this tab's pointer (0..1 of the grid, throttled by
 * the store) and draws everyone else's.
 */
export function CursorArea({ children }: { children: ComponentChildren }) {
  const store = useBoard();
  const area = useRef<HTMLDivElement>(null);
  useEffect(() => () => store.setCursor(null), [store]);
  const onMove = (event: MouseEvent) => {
    const box = area.current?.getBoundingClientRect();
    if (!box || !box.width || !box.height) return;
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    store.setCursor({ x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) });
  };
  const others = store.members.filter((m) => m.session !== store.session && m.cursor);
  return (
    <div class="cursor-area" ref={area} onMouseMove={onMove} onMouseLeave={() => store.setCursor(null)}>
      {children}
      {others.map((m) => (
        <span key={m.session} class="remote-cursor" style={{ left: `${m.cursor!.x * 100}%`, top: `${m.cursor!.y * 100}%`, "--who": m.colour }}
          data-testid="remote-cursor">
          <svg width="14" height="18" viewBox="0 0 14 18" aria-hidden="true"><path d="M1 1 L1 15 L5 11 L8 17 L10 16 L7 10 L13 10 Z" /></svg>
          <span class="remote-cursor-name">{m.name}</span>
        </span>
      ))}
    </div>
  );
}
