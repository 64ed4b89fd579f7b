import { describe, expect, it } from "vitest";
import { readTheme } from "./theme";

describe("readTheme", () => {
  it("keeps a pinned choice and follows the system otherwise", () => {
    expect(readTheme("light")).toBe("light");
    expect(readTheme("dark")).toBe("dark");
    expect(readTheme(null)).toBe("system");
    expect(readTheme("sepia")).toBe("system"); // an unknown stored value is not a theme
  });
});
