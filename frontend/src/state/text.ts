// Live editing of one long-text field with Yjs (the server runs Yrs; same update v1 encoding).
// The session holds a Y.Doc built from the server's whole state (text_state); local typing is
// turned into minimal Y.Text edits, whose updates are batched briefly and sent as `text` ops;
// remote updates are merged into the doc and shown in the textarea with the caret mapped through
// them (Yjs relative positions), so nobody's cursor or half-typed word jumps.
import * as Y from "yjs";

const TEXT_KEY = "text"; // the Y.Text's name in the server's documents (apps/rooms/text.py)
const LOCAL = "local";
const REMOTE = "remote";
const SEND_EVERY_MS = 60; // at most ~16 text ops a second, well under the room's rate limit

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The changed middle of two strings: [start, end in old, end in new], not splitting surrogate pairs. */
export function changedRange(old: string, next: string): [number, number, number] {
  let start = 0;
  const min = Math.min(old.length, next.length);
  while (start < min && old.charCodeAt(start) === next.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(old.charCodeAt(start - 1))) start--;
  let endOld = old.length;
  let endNew = next.length;
  while (endOld > start && endNew > start && old.charCodeAt(endOld - 1) === next.charCodeAt(endNew - 1)) {
    endOld--;
    endNew--;
  }
  if (endOld < old.length && isLowSurrogate(old.charCodeAt(endOld))) {
    endOld++;
    endNew++;
  }
  return [start, endOld, endNew];
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Where the session shows its text (the cell's textarea or input). */
export type TextView = HTMLTextAreaElement | HTMLInputElement;

export class TextSession {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText(TEXT_KEY);
  /** The text when editing began (for undo). */
  startText: string | null = null;
  ready = false;
  failed = false;
  closed = false;
  view: TextView | null = null;
  /** Remote updates that arrived before the state did (applied after it; Yjs ignores repeats). */
  private early: Uint8Array[] = [];
  private outgoing: Uint8Array[] = [];
  private timer = 0;
  private resolveReady!: (ok: boolean) => void;
  readonly whenReady = new Promise<boolean>((resolve) => (this.resolveReady = resolve));

  constructor(private send: (update: string, text: string) => void) {
    this.doc.on("update", (update: Uint8Array, origin: unknown) => {
      if (origin !== LOCAL) return;
      this.outgoing.push(update);
      if (!this.timer) this.timer = window.setTimeout(() => this.flush(), SEND_EVERY_MS);
    });
  }

  /** The server's whole state arrived. */
  load(state: string): void {
    if (this.closed || this.ready || this.failed) return;
    Y.applyUpdate(this.doc, fromBase64(state), REMOTE);
    for (const update of this.early) Y.applyUpdate(this.doc, update, REMOTE);
    this.early = [];
    this.startText = this.text.toString();
    this.ready = true;
    this.resolveReady(true);
  }

  /** No state in time (or the room is down): the editor falls back to a plain "set" on save. */
  fail(): void {
    if (this.ready) return;
    this.failed = true;
    this.resolveReady(false);
  }

  get value(): string {
    return this.text.toString();
  }

  /** The user changed the view's value: apply the difference as Y.Text edits. */
  input(next: string): void {
    if (!this.ready || this.closed) return;
    const old = this.text.toString();
    if (old === next) return;
    const [start, endOld, endNew] = changedRange(old, next);
    this.doc.transact(() => {
      if (endOld > start) this.text.delete(start, endOld - start);
      if (endNew > start) this.text.insert(start, next.slice(start, endNew));
    }, LOCAL);
  }

  /** Typing that happened before the state arrived (`initial` → `typed`), replayed onto the doc. */
  rebase(initial: string, typed: string): void {
    if (!this.ready || initial === typed) return;
    const [start, endOld, endNew] = changedRange(initial, typed);
    const length = this.text.length;
    const from = Math.min(start, length);
    this.doc.transact(() => {
      if (Math.min(endOld, length) > from) this.text.delete(from, Math.min(endOld, length) - from);
      if (endNew > start) this.text.insert(from, typed.slice(start, endNew));
    }, LOCAL);
  }

  /** Someone else's update (from a change's text_updates). */
  remote(update: string): void {
    if (this.closed) return;
    const bytes = fromBase64(update);
    if (!this.ready) {
      this.early.push(bytes);
      return;
    }
    const view = this.view;
    // Map the selection through the update: relative positions stick to the characters around them.
    const marks = view ? [view.selectionStart ?? 0, view.selectionEnd ?? 0].map((i) => Y.createRelativePositionFromTypeIndex(this.text, i)) : [];
    const before = this.text.toString();
    Y.applyUpdate(this.doc, bytes, REMOTE);
    const after = this.text.toString();
    if (!view || before === after) return;
    const [start, end] = marks.map((mark) => Y.createAbsolutePositionFromRelativePosition(mark, this.doc)?.index ?? after.length);
    const focused = document.activeElement === view;
    view.value = after;
    if (focused) view.setSelectionRange(start, end);
  }

  /** Send what is waiting now (also before closing). */
  flush(): void {
    window.clearTimeout(this.timer);
    this.timer = 0;
    if (!this.outgoing.length) return;
    const update = this.outgoing.length === 1 ? this.outgoing[0] : Y.mergeUpdates(this.outgoing);
    this.outgoing = [];
    this.send(toBase64(update), this.text.toString());
  }

  close(): void {
    this.flush();
    this.closed = true;
    this.view = null;
    this.fail();
    this.doc.destroy();
  }
}
