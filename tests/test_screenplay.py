"""The screenplay parser (previs/screenplay.py): every Fountain element the issue lists, Final
Draft .fdx, hostile XML, bad bytes, and the breakdown (setting, location, time, eighths, cast, props)."""

import pytest

from previs import screenplay as sp

FOUNTAIN = """Title: The Long Night
Credit: Written by
Author: A. Writer
Draft date: 1 December 2026

# ACT ONE

= Anna finds out.

.A FORCED HEADING

INT. KITCHEN - NIGHT #12A#

ANNA (30s) picks up the KNIFE and looks at the OLD CLOCK.

ANNA (V.O.)
(quietly)
It is late.
Very late.

BOB (O.S.) (CONT'D)
I know.

ANNA ^
Now.

@McCLANE
Yippee.

[[Check the clock prop with art dept]]

/* A cut scene
INT. GONE - DAY

Nobody sees this.
*/

> THE END OF THE START <

CUT TO:

===

EXT. PIER - DUSK

~Sailing on the sea

!SILENCE. The water.

> SMASH CUT TO:

INT./EXT. CAR - MOMENTS LATER #13#

*Italic* and **bold** and _underlined_ words.

I/E TRUCK - LATER THAT NIGHT

EST. CITY - DAWN
"""


def kinds(screenplay):
    return [e.kind for e in screenplay.elements]


@pytest.fixture(scope="module")
def parsed():
    fmt, screenplay = sp.parse(FOUNTAIN.encode(), "long.fountain")
    assert fmt == "fountain"
    return screenplay


def find(screenplay, kind, text=None):
    return [e for e in screenplay.elements if e.kind == kind and (text is None or text in e.text)]


def test_title_page(parsed):
    assert parsed.title_page == {"title": "The Long Night", "credit": "Written by", "author": "A. Writer", "draft date": "1 December 2026"}


def test_scene_headings_forced_numbered_and_every_prefix(parsed):
    headings = find(parsed, sp.HEADING)
    assert [h.text for h in headings] == [
        "A FORCED HEADING",
        "INT. KITCHEN - NIGHT",
        "EXT. PIER - DUSK",
        "INT./EXT. CAR - MOMENTS LATER",
        "I/E TRUCK - LATER THAT NIGHT",
        "EST. CITY - DAWN",
    ]
    assert [h.scene_number for h in headings] == ["", "12A", "", "13", "", ""]


def test_cues_extensions_contd_forced_and_dual(parsed):
    cues = find(parsed, sp.CHARACTER)
    assert [(c.character, c.extension, c.dual) for c in cues] == [("ANNA", "V.O.", False), ("BOB", "O.S.", False), ("ANNA", "", True), ("McCLANE", "", False)]


def test_dialogue_and_parentheticals_belong_to_their_speaker(parsed):
    assert [(e.text, e.character) for e in find(parsed, sp.PARENTHETICAL)] == [("(quietly)", "ANNA")]
    assert [(e.text, e.character) for e in find(parsed, sp.DIALOGUE)] == [
        ("It is late.\nVery late.", "ANNA"),
        ("I know.", "BOB"),
        ("Now.", "ANNA"),
        ("Yippee.", "McCLANE"),
    ]


def test_transitions_centered_lyrics_forced_action(parsed):
    assert [e.text for e in find(parsed, sp.TRANSITION)] == ["CUT TO:", "SMASH CUT TO:"]
    assert [e.text for e in find(parsed, sp.CENTERED)] == ["THE END OF THE START"]
    assert [e.text for e in find(parsed, sp.LYRIC)] == ["Sailing on the sea"]
    assert find(parsed, sp.ACTION, "SILENCE. The water.")[0].text == "SILENCE. The water."


def test_notes_sections_synopses_page_breaks_and_boneyard(parsed):
    assert [e.text for e in find(parsed, sp.NOTE)] == ["Check the clock prop with art dept"]
    assert [e.text for e in find(parsed, sp.SECTION)] == ["ACT ONE"]
    assert [e.text for e in find(parsed, sp.SYNOPSIS)] == ["Anna finds out."]
    assert len(find(parsed, sp.PAGE_BREAK)) == 1
    assert not any("GONE" in e.text or "Nobody" in e.text or "/*" in e.text for e in parsed.elements)


def test_emphasis_is_kept_as_written(parsed):
    assert find(parsed, sp.ACTION, "Italic")[0].text == "*Italic* and **bold** and _underlined_ words."


def test_breakdown(parsed):
    scenes = sp.breakdown(parsed)
    assert [(s.number, s.setting, s.location, s.time_of_day) for s in scenes] == [
        ("", "INT", "A FORCED HEADING", "DAY"),
        ("12A", "INT", "KITCHEN", "NIGHT"),
        ("", "EXT", "PIER", "DUSK"),
        ("13", "INT/EXT", "CAR", "MOMENTS LATER"),
        ("", "INT/EXT", "TRUCK", "NIGHT"),
        ("", "EXT", "CITY", "DAWN"),
    ]
    kitchen = scenes[1]
    assert kitchen.speaking == ["ANNA", "BOB", "McCLANE"]
    assert kitchen.present == ["ANNA", "BOB", "McCLANE"]
    assert kitchen.props == ["KNIFE", "OLD CLOCK"]
    assert 1 <= kitchen.eighths <= 8
    assert scenes[0].synopsis == ""


def test_page_count_in_eighths():
    action = "\n\n".join(["Rain hammers the roof. Nobody moves."] * 55)
    _, screenplay = sp.parse(f"INT. ROOM - DAY\n\n{action}\n".encode())
    assert sp.breakdown(screenplay)[0].eighths == 16  # 110 printed lines: two pages
    assert sp.format_eighths(19) == "2 3/8"
    assert sp.format_eighths(7) == "7/8"
    assert sp.format_eighths(8) == "1"


FDX = b"""<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<FinalDraft DocumentType="Script" Template="No" Version="5">
  <Content>
    <Paragraph Number="4" Type="Scene Heading"><Text>INT. OFFICE - DAY</Text></Paragraph>
    <Paragraph Type="Action"><Text>MARA drops the </Text><Text>FILE.</Text></Paragraph>
    <Paragraph Type="Character"><Text>MARA (CONT'D)</Text></Paragraph>
    <Paragraph Type="Parenthetical"><Text>(to herself)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Not again.</Text></Paragraph>
    <Paragraph Type="Character"><Text>LEE (V.O.)</Text></Paragraph>
    <Paragraph Type="Dialogue"><Text>Yes again.</Text></Paragraph>
    <Paragraph Type="Shot"><Text>CLOSE ON THE FILE</Text></Paragraph>
    <Paragraph Type="Transition"><Text>CUT TO:</Text></Paragraph>
    <Paragraph Number="5A" Type="Scene Heading"><Text>EXT. STREET - NIGHT</Text></Paragraph>
    <Paragraph Type="Action"><Text>Empty.</Text></Paragraph>
  </Content>
  <TitlePage><Content>
    <Paragraph Type="Title"><Text>Paper Trail</Text></Paragraph>
    <Paragraph Type="Text"><Text>Written by</Text></Paragraph>
    <Paragraph Type="Text"><Text>B. Author</Text></Paragraph>
  </Content></TitlePage>
</FinalDraft>
"""


def test_fdx_paragraph_types_numbers_and_title_page():
    fmt, screenplay = sp.parse(FDX, "paper.fdx")
    assert fmt == "fdx"
    assert kinds(screenplay) == [
        "heading",
        "action",
        "character",
        "parenthetical",
        "dialogue",
        "character",
        "dialogue",
        "shot",
        "transition",
        "heading",
        "action",
    ]
    assert screenplay.elements[1].text == "MARA drops the FILE."
    assert [(e.character, e.extension) for e in find(screenplay, sp.CHARACTER)] == [("MARA", ""), ("LEE", "V.O.")]
    assert find(screenplay, sp.DIALOGUE)[0].character == "MARA"
    scenes = sp.breakdown(screenplay)
    assert [(s.number, s.setting, s.location, s.time_of_day) for s in scenes] == [("4", "INT", "OFFICE", "DAY"), ("5A", "EXT", "STREET", "NIGHT")]
    assert scenes[0].props == ["FILE"]
    assert screenplay.title_page == {"title": "Paper Trail", "author": "B. Author"}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<FinalDraft><Content><Paragraph Type="Scene Heading"><Text>&lol3;</Text></Paragraph></Content></FinalDraft>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE fd [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<FinalDraft><Content><Paragraph Type="Action"><Text>&secret;</Text></Paragraph></Content></FinalDraft>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-expansion", "external-entity"])
def test_hostile_fdx_is_refused(data):
    with pytest.raises(sp.ScreenplayError, match="entities or a DTD"):
        sp.parse(data, "evil.fdx")


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "a.fountain", "empty"),
        (b"   \n\n", "a.fountain", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.fountain", "binary"),
        ("INT. CAFÉ - DAY".encode("latin-1"), "a.fountain", "not UTF-8"),
        (b"Just some notes, no scenes.\n", "a.fountain", "no scene heading"),
        (b"<FinalDraft><Content><Paragraph", "a.fdx", "not well-formed"),
        (b"<?xml version='1.0'?><svg/>", "a.fdx", "not a Final Draft"),
        (b"x" * (sp.MAX_BYTES + 1), "a.fountain", "larger than 10 MB"),
        (b"INT. ROOM - DAY\n\n" + b"Words. " * 2000 + b"\x00\x01", "a.fountain", "binary"),
    ],
    ids=["empty", "blank", "image", "latin-1", "no-heading", "broken-xml", "other-xml", "too-large", "late-nul"],
)
def test_bad_files_say_what_is_wrong(data, name, message):
    with pytest.raises(sp.ScreenplayError, match=message):
        sp.parse(data, name)


def test_utf16_and_bom_are_read():
    text = "INT. CAFÉ - DAY\n\nCoffee.\n"
    assert sp.breakdown(sp.parse(text.encode("utf-16"))[1])[0].location == "CAFÉ"
    assert sp.breakdown(sp.parse(b"\xef\xbb\xbf" + text.encode())[1])[0].location == "CAFÉ"
