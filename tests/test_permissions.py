"""The role table in docs/architecture.md is the one in code."""

import re
from pathlib import Path

from apps.projects.permissions import ROLE_PERMISSIONS, ROLES


def test_docs_role_table_matches_code():
    text = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text()
    section = text.split("## Roles", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| action") and not line.startswith("|---")]
    roles = [value for value, _label in ROLES]
    documented = {role: set() for role in roles}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        action, answers = cells[0], cells[1:]
        assert len(answers) == len(roles), row
        for role, answer in zip(roles, answers):
            if answer == "yes":
                documented[role].add(action)
    assert documented == {role: set(actions) for role, actions in ROLE_PERMISSIONS.items()}
    assert re.search(r"\| action \| owner \| director \| editor \| viewer \|", section)
