"""The guest watermark (workers.renderers.annotations.watermark): the stamps across a picture are
spaced by their own length, so a long name and date never print over the next stamp, and none
runs into the band along the bottom."""

from PIL import Image

from workers.renderers.annotations import watermark

GREY = (90, 90, 90)
STAMP = "Watermark Wendy · 2026-12-02 13:05 UTC · Harbour Light"


def ink_columns(image, top, bottom):
    """Columns (x) of the strip top..bottom where anything was stamped on the flat grey picture."""
    return [x for x in range(image.width) if any(image.getpixel((x, y)) != GREY for y in range(top, bottom))]


def gaps(columns):
    """Widths of the blank runs between stamped columns."""
    return [b - a - 1 for a, b in zip(columns, columns[1:]) if b - a > 1]


def test_stamps_in_a_row_keep_apart():
    picture = Image.new("RGB", (1000, 420), GREY)
    marked = watermark(picture, STAMP)
    size = 1000 // 40
    # The first row of stamps: two stamps of a long text (about 700 px each at this size) used to
    # be 500 px apart and overlap; now a clear gap of at least two letter heights parts them.
    row = ink_columns(marked, size, size * 2)
    assert row, "no stamp in the first row"
    assert max(gaps(row), default=0) >= size * 2
    # The second row is offset by half a stamp, and keeps apart the same way.
    second = ink_columns(marked, size * 7, size * 8)
    assert second and second[0] != row[0]
    assert max(gaps(second), default=0) >= size * 2


def test_no_stamp_runs_into_the_bottom_band():
    picture = Image.new("RGB", (1000, 380), GREY)
    marked = watermark(picture, STAMP)
    size = 1000 // 40
    band_top = 380 - size * 2
    # Just above the band, nothing is stamped (the last row stops short of it).
    assert ink_columns(marked, band_top - size // 2, band_top) == []
    # The band itself is there, darker than the picture.
    assert marked.getpixel((995, 375))[0] < GREY[0]
