import { describe, expect, it } from "vitest";
import { shotPicture } from "./thumbnail";

const render = { url: "/media/render.png" };

describe("shotPicture (the review's first slide)", () => {
  it("is the first panel's chosen image, even when there is a newer render", () => {
    expect(shotPicture({ panels: [{ image_url: "/media/panel.png" }, { image_url: null }] }, render)).toEqual({ url: "/media/panel.png", from: "panel" });
  });

  it("is the newest frame render when the first panel has no image, or there are no panels", () => {
    expect(shotPicture({ panels: [{ image_url: null }, { image_url: "/media/second.png" }] }, render)).toEqual({ url: render.url, from: "render" });
    expect(shotPicture({ panels: [] }, render)).toEqual({ url: render.url, from: "render" });
  });

  it("is nothing without an image or a render", () => {
    expect(shotPicture({ panels: [{ image_url: null }] }, undefined)).toBeNull();
    expect(shotPicture({ panels: [] }, undefined)).toBeNull();
  });
});
