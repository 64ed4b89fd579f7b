import { useEffect, useReducer, useState } from "preact/hooks";
import type { ReviewSession } from "./session";

/** The session; the calling component re-renders on every change to it. */
export function useSession(session: ReviewSession): ReviewSession {
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => session.subscribe(() => bump()), [session]);
  return session;
}

// Clips are played from a local copy: seeking needs byte ranges, which the studio's asset views
// do not serve (see camera/ClipPlayer.tsx). One copy per URL for the page's lifetime, so going
// back and forth between shots does not fetch a clip twice.
const copies = new Map<string, Promise<string>>();

function localCopy(url: string): Promise<string> {
  let copy = copies.get(url);
  if (!copy) {
    copy = fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(String(response.status)))))
      .then((blob) => URL.createObjectURL(blob))
      .catch(() => url); // play it straight from the server; seeking may be coarse
    copies.set(url, copy);
  }
  return copy;
}

export function useLocalCopy(url: string | null): string | null {
  const [local, setLocal] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setLocal(null);
    if (url) void localCopy(url).then((copy) => live && setLocal(copy));
    return () => {
      live = false;
    };
  }, [url]);
  return local;
}

/** A Date as the page shows times: "14:05" today, else "12 Mar 14:05". */
export function when(iso: string): string {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return today ? time : `${date.toLocaleDateString([], { day: "numeric", month: "short" })} ${time}`;
}
