import { describe, expect, it } from "vitest";
import { matchTerms, pickTerm } from "./typeahead";

// As previs/published.py publishes them (value, label, short form).
const SIZES = [
  { value: "WS", label: "Wide", short: "WS" },
  { value: "MS", label: "Medium", short: "MS" },
  { value: "MCU", label: "Medium Close-Up", short: "MCU" },
  { value: "CU", label: "Close-Up", short: "CU" },
  { value: "ECU", label: "Extreme Close-Up", short: "ECU" },
  { value: "INSERT", label: "Insert", short: "INS" },
];
const FRAMINGS = [
  { value: "single", label: "Single", short: "Single" },
  { value: "dirty_single", label: "Dirty single", short: "Dirty single" },
  { value: "two_shot", label: "Two-shot", short: "2-shot" },
  { value: "ots", label: "Over-the-shoulder", short: "OTS" },
  { value: "pov", label: "Point of view", short: "POV" },
];

describe("type-ahead in coded cells", () => {
  it("takes a code as the crew types it, in any case", () => {
    expect(pickTerm(SIZES, "MCU")?.value).toBe("MCU");
    expect(pickTerm(SIZES, "mcu")?.value).toBe("MCU");
    expect(pickTerm(FRAMINGS, "OTS")?.value).toBe("ots");
    expect(pickTerm(FRAMINGS, "ots")?.value).toBe("ots");
    expect(pickTerm(SIZES, "ins")?.value).toBe("INSERT");
  });

  it("an exact code beats a longer one that starts the same", () => {
    expect(pickTerm(SIZES, "CU")?.value).toBe("CU");
    expect(matchTerms(SIZES, "CU").map((t) => t.value)).toEqual(["CU", "MCU", "ECU"]);
  });

  it("takes a label or a word of it, ignoring hyphens and accents", () => {
    expect(pickTerm(FRAMINGS, "over")?.value).toBe("ots");
    expect(pickTerm(FRAMINGS, "over the shoulder")?.value).toBe("ots");
    expect(pickTerm(FRAMINGS, "two shot")?.value).toBe("two_shot");
    expect(pickTerm(SIZES, "close up")?.value).toBe("CU");
    expect(pickTerm(SIZES, "extrême")?.value).toBe("ECU");
    expect(pickTerm(FRAMINGS, "dirty")?.value).toBe("dirty_single");
  });

  it("offers everything for nothing typed and nothing for nonsense", () => {
    expect(matchTerms(SIZES, "  ")).toHaveLength(SIZES.length);
    expect(pickTerm(SIZES, "zzz")).toBeNull();
  });
});
