// Spreadsheet-style inline editing used by every editable cell: click or Enter opens the editor,
// Enter or leaving the cell saves, Esc cancels, Tab saves and moves on. A save that the server
// refuses (invalid) keeps the editor open with what the user typed and the server's message.
//
// A cell that names its row (`focus`) tells the room when someone edits it (presence) and shows
// who else is editing it (a soft lock: still editable). Long-text cells are edited live: the
// editor is bound to the field's shared Yjs document (state/text.ts), so concurrent typing merges
// and remote typing appears in place without moving the caret.
import type { ComponentChildren, Ref, TargetedFocusEvent, TargetedKeyboardEvent } from "preact";
import { useContext, useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { StoreContext } from "../state/context";
import type { Focus } from "../state/protocol";
import type { SaveOutcome } from "../state/store";
import type { TextSession } from "../state/text";

export type { SaveOutcome };

export interface EditorApi<V> {
  draft: V;
  setDraft: (value: V) => void;
  commit: (value?: V) => void;
  cancel: () => void;
  onKeyDown: (event: TargetedKeyboardEvent<HTMLElement>) => void;
  onBlur: (event: TargetedFocusEvent<HTMLElement>) => void;
  /** The live text session while a long-text field is edited (text editors bind to it). */
  live: TextSession | null;
}

interface Props<V> {
  testid: string;
  value: V;
  display: ComponentChildren;
  canEdit: boolean;
  save: (value: V) => Promise<SaveOutcome>;
  /** The row and field this cell edits: for presence, and live text on long-text fields. */
  focus?: Focus;
  editor: (api: EditorApi<V>) => ComponentChildren;
  as?: "td" | "div" | "span";
  class?: string;
  title?: string;
  /** Multi-line editors take Shift+Enter as a newline, Enter saves. */
  multiline?: boolean;
  equals?: (a: V, b: V) => boolean;
}

const same = <V,>(a: V, b: V) => a === b;

/** Focus the next (or previous) editable cell in reading order. */
export function focusSibling(from: HTMLElement, backwards: boolean): void {
  const cells = Array.from(document.querySelectorAll<HTMLElement>("[data-cell]"));
  const index = cells.indexOf(from);
  const next = cells[index + (backwards ? -1 : 1)];
  next?.focus();
}

export function EditCell<V>({ testid, value, display, canEdit, save, editor, as = "td", class: cls = "", title, multiline, equals = same, focus }: Props<V>) {
  const store = useContext(StoreContext);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<V>(value);
  const [errors, setErrors] = useState<string[] | null>(null);
  const [saving, setSaving] = useState(false);
  const [live, setLive] = useState<TextSession | null>(null);
  const liveRef = useRef<TextSession | null>(null);
  const cell = useRef<HTMLElement>(null);
  const done = useRef(false);
  const moveAfter = useRef<0 | 1 | -1>(0);

  const endLive = () => {
    if (liveRef.current) store?.closeText(liveRef.current);
    liveRef.current = null;
    setLive(null);
  };

  const start = () => {
    if (!canEdit || editing) return;
    done.current = false;
    setDraft(value);
    setErrors(null);
    setEditing(true);
    if (store && focus) {
      store.setFocus(focus);
      liveRef.current = focus.field ? store.openText(focus.entity, focus.id, focus.field) : null;
      setLive(liveRef.current);
    }
  };

  // A cell that disappears while edited (its row deleted) leaves its session and focus.
  useEffect(() => () => {
    if (liveRef.current) store?.closeText(liveRef.current);
    if (focus) store?.clearFocus(focus);
  }, []);

  const finish = (refocus: boolean) => {
    setEditing(false);
    setErrors(null);
    endLive();
    if (store && focus) store.clearFocus(focus);
    const el = cell.current;
    if (!el) return;
    const move = moveAfter.current;
    moveAfter.current = 0;
    requestAnimationFrame(() => {
      if (move) focusSibling(el, move < 0);
      else if (refocus) el.focus();
    });
  };

  /** Save and close; `refocus` puts the keyboard back on the cell (not when focus moved away). */
  const commit = async (next: V = draft, refocus = true) => {
    if (done.current) return;
    done.current = true;
    if (liveRef.current?.ready) return finish(refocus); // every keystroke is already on its way
    // Not bound yet (no state from the server in time): the draft goes as a plain "set"; the
    // session must not replay the same typing on top of it later.
    endLive();
    if (equals(next, value)) return finish(refocus);
    setSaving(true);
    const outcome = await save(next);
    setSaving(false);
    if (outcome?.length) {
      done.current = false; // still editing: fix and save again
      moveAfter.current = 0;
      setDraft(next);
      setErrors(outcome);
      return;
    }
    finish(refocus);
  };

  const cancel = () => {
    done.current = true;
    moveAfter.current = 0;
    finish(true);
  };

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLElement>) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    } else if (event.key === "Enter" && !(multiline && event.shiftKey) && !event.isComposing) {
      event.preventDefault();
      event.stopPropagation();
      void commit();
    } else if (event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation();
      moveAfter.current = event.shiftKey ? -1 : 1;
      void commit();
    }
  };

  const onBlur = (event: TargetedFocusEvent<HTMLElement>) => {
    // Leaving the cell saves; moving focus inside it (e.g. a checkbox list) does not.
    const to = event.relatedTarget as Node | null;
    if (to && cell.current?.contains(to)) return;
    void commit(draft, false);
  };

  // Layout effect, not effect: the editor must hold focus before the next keystroke arrives.
  useLayoutEffect(() => {
    if (!editing) return;
    const el = cell.current?.querySelector<HTMLElement>("input, textarea, select, [data-autofocus]");
    el?.focus();
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.select();
  }, [editing]);

  const Tag = as as "td";
  // Someone else (another person or another tab) editing this cell: their colour and name.
  const other = focus && store ? store.editorsOf(focus.entity, focus.id, focus.field ?? "")[0] : undefined;
  const classes = `cell ${canEdit ? "cell-editable" : ""} ${editing ? "cell-editing" : ""} ${errors ? "cell-invalid" : ""} ${saving ? "cell-saving" : ""} ${other ? "cell-locked" : ""} ${cls}`;
  return (
    <Tag
      ref={cell as Ref<HTMLTableCellElement>}
      class={classes}
      data-testid={testid}
      data-cell=""
      data-editor={other?.name}
      style={other ? { "--lock": other.colour } : undefined}
      tabIndex={editing ? -1 : 0}
      title={title}
      onClick={start}
      onKeyDown={(event) => {
        if (editing || event.target !== event.currentTarget) return;
        if (event.key === "Enter" || event.key === "F2") {
          event.preventDefault();
          start();
        }
      }}
    >
      {editing ? editor({ draft, setDraft, commit: (v?: V) => void commit(v), cancel, onKeyDown, onBlur, live }) : display}
      {errors && <div class="cell-error" role="alert" data-testid={`${testid}-error`}>{errors.join(" ")}</div>}
    </Tag>
  );
}

// --- Editors ---------------------------------------------------------------------------------

export function textEditor(rows = 3) {
  return (api: EditorApi<string>) =>
    api.live ? <LiveText api={api} session={api.live} rows={rows} /> : (
      <textarea class="cell-input" rows={rows} value={api.draft} onInput={(e) => api.setDraft(e.currentTarget.value)} onKeyDown={api.onKeyDown} onBlur={api.onBlur} />
    );
}

/**
 * A textarea bound to a live text session. Uncontrolled: the session writes remote text into it
 * (keeping the caret); typing goes to the session as minimal edits. Until the server's state has
 * arrived the typing is kept as a draft, then replayed onto the shared text; if the state never
 * comes (room down) the draft is saved as a plain "set" like any other cell.
 */
function LiveText({ api, session, rows }: { api: EditorApi<string>; session: TextSession; rows: number }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const initial = useRef(api.draft);
  const [bound, setBound] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current!;
    el.value = initial.current;
    let alive = true;
    void session.whenReady.then((ok) => {
      if (!alive || !ok || session.closed) return;
      const typed = el.value;
      session.rebase(initial.current, typed);
      if (el.value !== session.value) {
        const caret = session.value.length - (typed.length - (el.selectionEnd ?? typed.length));
        el.value = session.value;
        el.setSelectionRange(caret, caret);
      }
      session.view = el;
      setBound(true);
    });
    return () => {
      alive = false;
      if (session.view === el) session.view = null;
    };
  }, [session]);
  return (
    <textarea
      ref={ref}
      class="cell-input"
      rows={rows}
      data-live={bound ? "" : undefined}
      onInput={(e) => (session.ready && session.view ? session.input(e.currentTarget.value) : api.setDraft(e.currentTarget.value))}
      onKeyDown={api.onKeyDown}
      onBlur={api.onBlur}
    />
  );
}

export function lineEditor(placeholder = "") {
  return ({ draft, setDraft, onKeyDown, onBlur }: EditorApi<string>) => (
    <input class="cell-input" value={draft} placeholder={placeholder} onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={onKeyDown} onBlur={onBlur} />
  );
}

export function numberEditor(step: number, listId?: string) {
  return ({ draft, setDraft, onKeyDown, onBlur }: EditorApi<number>) => (
    <input
      class="cell-input cell-number"
      type="number"
      step={step}
      min={0}
      list={listId}
      value={Number.isFinite(draft) ? String(draft) : ""}
      onInput={(e) => setDraft(e.currentTarget.value === "" ? Number.NaN : Number(e.currentTarget.value))}
      onKeyDown={onKeyDown}
      onBlur={onBlur}
    />
  );
}

export function selectEditor<K extends string>(options: { value: K; label: string }[]) {
  return ({ draft, commit, onKeyDown, onBlur }: EditorApi<K>) => (
    <select
      class="cell-input"
      value={draft}
      onChange={(e) => commit(e.currentTarget.value as K)}
      onKeyDown={(e) => (e.key === "Escape" || e.key === "Tab" || e.key === "Enter" ? onKeyDown(e) : undefined)}
      onBlur={onBlur}
    >
      {options.map((o) => <option value={o.value}>{o.label}</option>)}
    </select>
  );
}
