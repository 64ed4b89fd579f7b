// One tab stop for the whole grid of shot cells (a roving tabindex): Tab enters the grid at the
// cell last used and leaves it on the next Tab, arrow keys move inside it (ShotList's
// navigateCells), so a keyboard user no longer tabs through fifteen cells a shot. The cells are
// EditCells, which make themselves tabbable whenever they render; an observer puts every cell but
// the current one back to -1, so rows painted later and cells that just closed their editor
// follow too. Cells are still focused by script (Tab in an editor, arrows, the skip link).
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

const CELLS = "tr.shot-row [data-cell]";

export function useRovingCells(grid: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const root = grid.current;
    if (!root) return;
    let current: HTMLElement | null = null;
    const settle = () => {
      const cells = root.querySelectorAll<HTMLElement>(CELLS);
      if (!current || !current.isConnected) current = cells[0] ?? null;
      for (const cell of cells) {
        const wanted = cell === current ? "0" : "-1";
        // An open editor keeps its own -1 (the editor inside it holds the focus).
        if (cell.classList.contains("cell-editing")) continue;
        if (cell.getAttribute("tabindex") !== wanted) cell.setAttribute("tabindex", wanted);
      }
    };
    const onFocus = (event: FocusEvent) => {
      const cell = (event.target as HTMLElement).closest<HTMLElement>("[data-cell]");
      if (!cell || !root.contains(cell) || !cell.closest("tr.shot-row") || cell === current) return;
      current = cell;
      settle();
    };
    const observer = new MutationObserver(settle);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"] });
    root.addEventListener("focusin", onFocus);
    settle();
    return () => {
      observer.disconnect();
      root.removeEventListener("focusin", onFocus);
    };
  }, []);
}

/** The grid's cell that Tab would enter (the skip link sends the focus there). */
export function focusGrid(grid: HTMLElement | null): boolean {
  const cell = grid?.querySelector<HTMLElement>(`${CELLS}[tabindex="0"]`) ?? grid?.querySelector<HTMLElement>(CELLS);
  cell?.focus();
  return !!cell;
}
