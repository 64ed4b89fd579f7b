// The board's pure reducers (state/board.ts): room changes in seq order, and this tab's ops as
// the screen shows them before the server answers.
import { board, change, panel, shot, shotOrder } from "./testing";
import { describe, expect, test, vi } from "vitest";
import { applyOp, confirmChange, findShot, heading, placeOf, putShotRow, type Confirmed } from "./board";

const at5 = (): Confirmed => ({ board: board(), seq: 5 });
const describeShot = (seq: number, id: number, description: string, version: number) =>
  change(seq, "update", "shot", id, { version, fields: { description } });

describe("room changes on the confirmed board", () => {
  test("changes apply in seq order and the board's seq follows", () => {
    let state = at5();
    for (const next of [describeShot(6, 101, "Ada at the rail", 2), describeShot(7, 101, "Ada turns", 3)]) state = confirmChange(state, next).state;
    expect(state.seq).toBe(7);
    expect(findShot(state.board, 101)!.description).toBe("Ada turns");
    expect(findShot(state.board, 101)!.version).toBe(3);
  });

  test("a duplicate seq changes nothing", () => {
    const first = confirmChange(at5(), describeShot(6, 101, "Ada at the rail", 2)).state;
    const again = confirmChange(first, describeShot(6, 101, "something else", 9));
    expect(again.state).toBe(first);
    expect(findShot(again.state.board, 101)!.description).toBe("Ada at the rail");
  });

  test("a change older than the board (late, out of order) changes nothing", () => {
    const at7 = confirmChange(at5(), describeShot(7, 101, "Ada turns", 3)).state;
    const late = confirmChange(at7, describeShot(6, 101, "Ada at the rail", 2));
    expect(late.state).toBe(at7);
    expect(findShot(late.state.board, 101)!.description).toBe("Ada turns");
  });

  test("a row read older than the shown row does not replace it", () => {
    const at7 = confirmChange(at5(), describeShot(7, 101, "Ada turns", 3)).state;
    const reread = putShotRow(at7.board, { id: 101, version: 2, description: "Ada at the rail" });
    expect(findShot(reread, 101)!.description).toBe("Ada turns");
  });

  test("a moved shot takes its place by rank, in its new scene", () => {
    // Rank "p" falls between 102 ("m") and 103 ("t").
    let state = confirmChange(at5(), change(6, "move", "shot", 201, { version: 2, rank: "p", scene: 10 })).state;
    expect(shotOrder(state.board)).toEqual({ 10: [101, 102, 201, 103], 20: [] });
    expect(findShot(state.board, 201)!.scene).toBe(10);
    // Rank "0" sorts before "a": first in the scene.
    state = confirmChange(state, change(7, "move", "shot", 103, { version: 2, rank: "0", scene: 10 })).state;
    expect(shotOrder(state.board)[10]).toEqual([103, 101, 102, 201]);
  });

  test("equal ranks are ordered by id", () => {
    const state = confirmChange(at5(), change(6, "move", "shot", 101, { version: 2, rank: "m", scene: 10 })).state;
    expect(shotOrder(state.board)[10]).toEqual([101, 102, 103]);
    const other = confirmChange(at5(), change(6, "move", "shot", 103, { version: 2, rank: "m", scene: 10 })).state;
    expect(shotOrder(other.board)[10]).toEqual([101, 102, 103]);
  });

  test("a move naming a scene the board does not have asks for a re-read and changes nothing", () => {
    const start = at5();
    const { state, followUps } = confirmChange(start, change(6, "move", "shot", 101, { version: 2, rank: "b", scene: 99 }));
    expect(followUps).toEqual([{ kind: "refetch" }]);
    expect(state.board).toBe(start.board);
    expect(state.seq).toBe(6);
  });

  test("a created shot lands by rank; its parent missing asks for a re-read; a repeat adds nothing", () => {
    const created = change(6, "create", "shot", 104, { version: 1, fields: { ...shot(104, 10, "b"), id: undefined } });
    const { state } = confirmChange(at5(), created);
    expect(shotOrder(state.board)[10]).toEqual([101, 104, 102, 103]);
    const again = confirmChange({ ...state, seq: 5 }, { ...created, seq: 6 });
    expect(shotOrder(again.state.board)[10]).toEqual([101, 104, 102, 103]);
    const orphan = confirmChange(at5(), change(6, "create", "shot", 105, { version: 1, fields: shot(105, 99, "b") }));
    expect(orphan.followUps).toEqual([{ kind: "refetch" }]);
  });

  test("a deleted character leaves every shot's cast", () => {
    const { state } = confirmChange(at5(), change(6, "delete", "character", 7, {}));
    expect(state.board.characters.map((c) => c.id)).toEqual([8]);
    expect(findShot(state.board, 101)!.characters).toEqual([]);
  });

  test("a renamed location renames the sluglines that use it, with the published setting label", () => {
    const { state } = confirmChange(at5(), change(6, "update", "location", 30, { version: 2, fields: { name: "Pier" } }));
    expect(state.board.scenes[0].heading).toBe("Inside PIER - DAY");
    expect(heading(state.board, { setting: "EXT", location: null, time_of_day: "NIGHT" })).toBe("Outside UNKNOWN - NIGHT");
  });

  test("a lens change without the angle of view asks for the shot again; with it, not", () => {
    const without = confirmChange(at5(), change(6, "update", "shot", 102, { version: 2, fields: { lens_mm: 85 } }));
    expect(without.followUps).toEqual([{ kind: "reread", entity: "shot", id: 102 }]);
    expect(findShot(without.state.board, 102)!.lens_mm).toBe(85);
    const withFov = confirmChange(at5(), change(6, "update", "shot", 102, { version: 2, fields: { lens_mm: 85, field_of_view: 23.9 } }));
    expect(withFov.followUps).toEqual([]);
  });

  test("a render job's change goes to the render jobs and leaves the board alone", () => {
    const start = at5();
    const job = { id: 3, shot: 101, status: "running", progress: 40 };
    const { state, followUps } = confirmChange(start, change(6, "update", "render_job", 3, job));
    expect(followUps).toEqual([{ kind: "render", job }]);
    expect(state.board).toBe(start.board);
  });

  test("a change that cannot be read asks for a re-read instead of half-applying", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const start = at5();
    const { state, followUps } = confirmChange(start, change(6, "update", "shot", 101, { version: 2 })); // no fields
    expect(followUps).toEqual([{ kind: "refetch" }]);
    expect(state).toEqual({ board: start.board, seq: 6 });
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});

describe("this tab's ops, shown before the answer", () => {
  const local = { tempId: 0, seen: false };

  test("a move puts the shot right after the named sibling, in the named scene", () => {
    const moved = applyOp(board(), { kind: "move", entity: "shot", id: 103, after: 101, parent: null }, local);
    expect(shotOrder(moved)[10]).toEqual([101, 103, 102]);
    const across = applyOp(board(), { kind: "move", entity: "shot", id: 102, after: null, parent: 20 }, local);
    expect(shotOrder(across)).toEqual({ 10: [101, 103], 20: [102, 201] });
    expect(findShot(across, 102)!.scene).toBe(20);
  });

  test("a panel moves between shots", () => {
    const moved = applyOp(board(), { kind: "move", entity: "panel", id: 1001, after: null, parent: 102 }, local);
    expect(findShot(moved, 101)!.panels.map((p) => p.id)).toEqual([1002]);
    expect(findShot(moved, 102)!.panels).toEqual([{ ...panel(1001, 101, "a"), shot: 102 }]);
  });

  test("a create shows a stand-in row with its temporary id until its real row arrives", () => {
    const op = { kind: "create", entity: "shot", parent: 10, after: 101, fields: { description: "insert" } } as const;
    const shown = applyOp(board(), op, { tempId: -1, seen: false });
    expect(shotOrder(shown)[10]).toEqual([101, -1, 102, 103]);
    expect(findShot(shown, -1)!.description).toBe("insert");
    expect(applyOp(board(), op, { tempId: -1, seen: true })).toEqual(board());
  });

  test("placeOf names the parent and the sibling before, which undo puts a row back after", () => {
    expect(placeOf(board(), "shot", 102)).toEqual({ parent: 10, after: 101 });
    expect(placeOf(board(), "shot", 101)).toEqual({ parent: 10, after: null });
    expect(placeOf(board(), "panel", 1002)).toEqual({ parent: 101, after: 1001 });
    expect(placeOf(board(), "scene", 20)).toEqual({ parent: 1, after: 10 });
  });
});
