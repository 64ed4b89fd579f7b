// Who is in the project room and which cell each tab edits; this tab's own focus and cursor,
// sent at most once per PRESENCE_EVERY_MS (a focus change goes out at once, a cursor waits).
import type { ClientMessage, Cursor, Focus, Member } from "./protocol";

const PRESENCE_EVERY_MS = 100;

export class Presence {
  /** Everyone in the room (every tab), as the last presence message listed them. */
  members: Member[] = [];
  /** This tab's own room session. */
  session = "";
  private focus: Focus | null = null;
  private cursor: Cursor | null = null;
  private sent = 0;
  private timer = 0;

  constructor(private readonly send: (message: ClientMessage) => void) {}

  /** Other tabs (of anyone, including this user's other windows) editing this cell. */
  editorsOf(entity: string, id: number, field: string): Member[] {
    return this.members.filter((m) => m.session !== this.session && m.focus?.entity === entity && m.focus.id === id && m.focus.field === field);
  }

  /** The room greeted this tab (again): say where it is. */
  joined(session: string): void {
    this.session = session;
    this.publish(true);
  }

  /** The link dropped: only this tab is known to be here. */
  left(): void {
    this.members = this.members.filter((m) => m.session === this.session);
  }

  setFocus(focus: Focus): void {
    this.focus = focus;
    this.publish(true);
  }

  /** Leave a cell (unless focus already moved on to another one). */
  clearFocus(focus: Focus): void {
    const now = this.focus;
    if (!now || now.entity !== focus.entity || now.id !== focus.id || now.field !== focus.field) return;
    this.focus = null;
    this.publish(true);
  }

  setCursor(cursor: Cursor | null): void {
    this.cursor = cursor;
    this.publish(false);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = 0;
  }

  /** Presence carries focus and cursor together; at most one message per PRESENCE_EVERY_MS. */
  private publish(urgent: boolean): void {
    if (this.timer) {
      if (!urgent) return; // the scheduled send carries the newest values
      clearTimeout(this.timer);
    }
    const wait = this.sent + PRESENCE_EVERY_MS - Date.now();
    const go = () => {
      this.timer = 0;
      this.sent = Date.now();
      this.send({ type: "presence", focus: this.focus, cursor: this.cursor });
    };
    if (wait <= 0) go();
    else this.timer = setTimeout(go, wait);
  }
}
