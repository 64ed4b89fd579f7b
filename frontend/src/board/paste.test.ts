import { describe, expect, it } from "vitest";
import { parseTsv, pasteColumns, readPaste } from "./paste";

// The shot-list CSV's columns as the page publishes them (workers/exports/shotlist.py COLUMNS).
const COLUMNS = [
  ["Scene", "scene"], ["Shot", "number"], ["Size", "shot_size"], ["Framing", "framing"], ["Angle", "angle"], ["Move", "movement"],
  ["Lens (mm)", "lens_mm"], ["Duration (s)", "duration_s"], ["Characters", "characters"], ["Location", "location"],
  ["Action", "description"], ["Dialogue", "dialogue"], ["Notes", "notes"], ["Status", "status"],
].map(([header, field]) => ({ header, field }));
const VOCAB = {
  shot_size: [{ value: "MS", label: "Medium", short: "MS" }, { value: "MCU", label: "Medium Close-Up", short: "MCU" }, { value: "CU", label: "Close-Up", short: "CU" }],
  framing: [{ value: "single", label: "Single", short: "Single" }, { value: "ots", label: "Over-the-shoulder", short: "OTS" }],
  status: [{ value: "draft", label: "Draft", short: "Draft" }, { value: "approved", label: "Approved", short: "Approved" }],
};
const LIBRARY = { characters: [{ id: 1, name: "MARA" }, { id: 2, name: "Jon" }], locations: [{ id: 7, name: "JETTY" }] };
const VISIBLE = ["number", "description", "dialogue", "characters", "shot_size", "framing", "angle", "movement", "rig", "lens_mm"];

describe("parsing what a spreadsheet copies", () => {
  it("splits tabs and lines, keeps quoted line breaks, drops the empty last line", () => {
    expect(parseTsv("a\tb\r\nc\t\"two\nlines\"\r\n")).toEqual([["a", "b"], ["c", "two\nlines"]]);
    expect(parseTsv("\"say \"\"hi\"\"\"\tx\n\n")).toEqual([["say \"hi\"", "x"]]);
    expect(parseTsv("a\t\tc")).toEqual([["a", "", "c"]]);
  });
});

describe("mapping pasted columns", () => {
  it("reads a header row by the CSV's column names, in any case", () => {
    const { fields, headerRows } = pasteColumns([["size", "ACTION", "Lens (mm)"], ["MCU", "x", "50"]], COLUMNS, VISIBLE);
    expect(headerRows).toBe(1);
    expect(fields).toEqual(["shot_size", "description", "lens_mm"]);
  });

  it("without a header, takes the shot list's visible columns from where the paste landed", () => {
    const { fields, headerRows } = pasteColumns([["Mara runs", "MCU"]], COLUMNS, ["description", "shot_size"]);
    expect(headerRows).toBe(0);
    expect(fields).toEqual(["description", "shot_size"]);
  });

  it("names an unknown header column and leaves it out", () => {
    const { fields, errors } = pasteColumns([["Size", "Action", "Mood"]], COLUMNS, VISIBLE);
    expect(fields).toEqual(["shot_size", "description", null]);
    expect(errors[0]).toContain("Mood");
  });
});

describe("reading pasted rows as shots", () => {
  it("reads codes, labels, numbers with a comma, cast and location by library name", () => {
    const text = "Size\tFraming\tLens (mm)\tCharacters\tLocation\tAction\tStatus\n" +
      "mcu\tOver-the-shoulder\t50\tMARA; jon\tjetty\tMara turns.\tapproved\n" +
      "CU\tsingle\t85,5\t\t\tHer hands.\t\n";
    const { rows, errors } = readPaste(text, COLUMNS, VISIBLE, VOCAB, LIBRARY);
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.fields)).toEqual([
      { shot_size: "MCU", framing: "ots", lens_mm: 50, characters: [1, 2], location: 7, description: "Mara turns.", status: "approved" },
      { shot_size: "CU", framing: "single", lens_mm: 85.5, description: "Her hands." },
    ]);
  });

  it("reports every bad cell by row and column and leaves those rows out", () => {
    const text = "Jetty at dawn\tXL\nDock\tMS\nRope\tMCU\n";
    const { rows, errors } = readPaste(text, COLUMNS, ["description", "shot_size"], VOCAB, LIBRARY);
    expect(rows.map((r) => r.fields)).toEqual([{ description: "Dock", shot_size: "MS" }, { description: "Rope", shot_size: "MCU" }]);
    expect(errors).toEqual(['Row 1, Size: "XL" is not one of MS, MCU, CU.']);
    const cast = readPaste("Nobody\n", COLUMNS, ["characters"], VOCAB, LIBRARY);
    expect(cast.rows).toEqual([]);
    expect(cast.errors[0]).toContain('no character "Nobody"');
    const lens = readPaste("fifty\n", COLUMNS, ["lens_mm"], VOCAB, LIBRARY);
    expect(lens.errors[0]).toContain("not a number");
  });

  it("refuses more rows than a paste takes", () => {
    const { rows, errors } = readPaste("x\n".repeat(201), COLUMNS, ["description"], VOCAB, LIBRARY);
    expect(rows).toEqual([]);
    expect(errors[0]).toContain("At most 200");
  });
});
