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
