import { createContext } from "preact";
import { useContext, useEffect, useReducer } from "preact/hooks";
import type { BoardStore } from "./store";

export const StoreContext = createContext<BoardStore | null>(null);

/** The project's store; the calling component re-renders on every change to it. */
export function useBoard(): BoardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useBoard outside a project page");
  const [, bump] = useReducer((n: number, _: void) => n + 1, 0);
  useEffect(() => store.subscribe(() => bump()), [store]);
  return store;
}

/** The project's store without subscribing: for memoised parts (a shot row) that get what they
 * show as props, so a change elsewhere on a 500-shot board does not re-render them. */
export function useStore(): BoardStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useStore outside a project page");
  return store;
}
