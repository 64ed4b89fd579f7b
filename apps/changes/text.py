"""Long-text fields merged character by character with a sequence CRDT (pycrdt = Yrs, the Rust
port of Yjs, so browsers run Yjs against it).

Each text field that someone has opened for live editing has a TextDoc holding one Y.Text named
"text". The plain text on the row stays the truth for the API and exports: applying a CRDT
update writes the merged text back to the row, and a plain write (REST, a "set" op) is turned
into a minimal CRDT edit, so typing in a browser and a script's write never clobber each other.

Locks are always taken row first, then its TextDoc, so two writers never wait on each other.
"""

import base64
import binascii

from pycrdt import Doc, Text

from .models import TextDoc

TEXT_KEY = "text"


class BadTextUpdate(ValueError):
    pass


def _doc_from(state: bytes | None, initial_text: str) -> tuple[Doc, Text]:
    doc = Doc()
    text = doc.get(TEXT_KEY, type=Text)
    if state:
        doc.apply_update(bytes(state))
    elif initial_text:
        text += initial_text
    return doc, text


def _locked(project_id, entity, entity_id, field, current_text):
    """The TextDoc row (locked), its Doc and Text; created from the current plain text if new."""
    row = TextDoc.objects.select_for_update().filter(entity=entity, entity_id=entity_id, field=field).first()
    if row is None:
        doc, text = _doc_from(None, current_text)
        row = TextDoc.objects.create(project_id=project_id, entity=entity, entity_id=entity_id, field=field, state=doc.get_update())
        return row, doc, text
    doc, text = _doc_from(row.state, "")
    return row, doc, text


def state_of(project_id, entity, entity_id, field, current_text):
    """The whole document state (base64) and its text, for a client about to edit."""
    row, doc, text = _locked(project_id, entity, entity_id, field, current_text)
    return base64.b64encode(doc.get_update()).decode(), str(text)


def decode_update(update_b64: str) -> bytes:
    try:
        return base64.b64decode(update_b64, validate=True)
    except (binascii.Error, ValueError):
        raise BadTextUpdate("update must be base64")


def apply_update(project_id, entity, entity_id, field, update: bytes, current_text):
    """Merge a client's update; returns the merged plain text."""
    row, doc, text = _locked(project_id, entity, entity_id, field, current_text)
    try:
        doc.apply_update(update)
    except Exception as error:  # Yrs rejects malformed updates with assorted errors
        raise BadTextUpdate(f"not a valid Yjs update ({error})")
    row.state = doc.get_update()
    row.save(update_fields=["state", "updated_at"])
    return str(text)


def follow_plain_write(entity, entity_id, field, new_text):
    """Bring an open TextDoc in line with a plain write; returns the CRDT update (base64) that
    does it, or None when nobody has the field open or nothing changed."""
    row = TextDoc.objects.select_for_update().filter(entity=entity, entity_id=entity_id, field=field).first()
    if row is None:
        return None
    doc, text = _doc_from(row.state, "")
    old = str(text)
    if old == new_text:
        return None
    # Replace only the changed middle, so concurrent typing elsewhere in the text survives.
    start = 0
    while start < min(len(old), len(new_text)) and old[start] == new_text[start]:
        start += 1
    end_old, end_new = len(old), len(new_text)
    while end_old > start and end_new > start and old[end_old - 1] == new_text[end_new - 1]:
        end_old -= 1
        end_new -= 1
    # Yrs indexes text by UTF-8 bytes here (Yjs in the browser by UTF-16 units; the update
    # itself carries no offsets, so both sides agree on the result).
    start_b = len(old[:start].encode())
    end_b = len(old[:end_old].encode())
    before = doc.get_state()
    with doc.transaction():
        if end_b > start_b:
            del text[start_b:end_b]
        if end_new > start:
            text.insert(start_b, new_text[start:end_new])
    update = doc.get_update(before)
    row.state = doc.get_update()
    row.save(update_fields=["state", "updated_at"])
    return base64.b64encode(update).decode()


def forget(entity, entity_id):
    TextDoc.objects.filter(entity=entity, entity_id=entity_id).delete()
