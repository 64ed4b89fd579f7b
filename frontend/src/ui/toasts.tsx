// Plain-language notices ("Maya changed this meanwhile — your edit was not applied").
import { useEffect, useState } from "preact/hooks";

export type ToastKind = "info" | "warn" | "error" | "ok";
interface Toast { id: number; kind: ToastKind; text: string }

let next = 1;
let toasts: Toast[] = [];
const listeners = new Set<(all: Toast[]) => void>();

function publish() { listeners.forEach((listener) => listener(toasts)); }

export function toast(text: string, kind: ToastKind = "info", ms = 6000): void {
  const item = { id: next++, kind, text };
  toasts = [...toasts.filter((t) => t.text !== text), item].slice(-4);
  publish();
  window.setTimeout(() => dismiss(item.id), ms);
}

function dismiss(id: number) {
  toasts = toasts.filter((t) => t.id !== id);
  publish();
}

export function Toasts() {
  const [items, setItems] = useState<Toast[]>(toasts);
  useEffect(() => {
    listeners.add(setItems);
    return () => void listeners.delete(setItems);
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((item) => (
        <div key={item.id} class={`toast toast-${item.kind}`} data-testid="toast">
          <span>{item.text}</span>
          <button class="toast-close" aria-label="Dismiss" onClick={() => dismiss(item.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
