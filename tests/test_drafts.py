"""An upload in progress survives a reload: kept per person, owner-only, dropped after."""

from __future__ import annotations

import datetime as dt
import stat

from atlas_app.staff import drafts
from atlas_app.staff.drafts import drop_draft, load_draft, save_draft


def test_a_draft_is_kept_per_person_and_dropped(tmp_path):
    save_draft(tmp_path, "ana@example.org", "partner.csv", b"a;b\n1;2\n", {"map-0": "name"})
    save_draft(tmp_path, "ana@example.org", "partner.csv", None, {"map-0": "city"})
    draft = load_draft(tmp_path, "ana@example.org")
    assert (draft.filename, draft.data, draft.choices) == ("partner.csv", b"a;b\n1;2\n",
                                                           {"map-0": "city"})
    assert load_draft(tmp_path, "ben@example.org") is None
    files = list(tmp_path.rglob("*"))
    assert not any("ana" in str(f) for f in files), "no address on disk"
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files if f.is_file())
    drop_draft(tmp_path, "ana@example.org")
    assert load_draft(tmp_path, "ana@example.org") is None


def test_a_week_old_draft_is_forgotten(tmp_path):
    save_draft(tmp_path, "ana@example.org", "old.csv", b"x", {})
    later = dt.datetime.now(dt.timezone.utc) + drafts.DRAFT_LIFETIME + dt.timedelta(hours=1)
    assert load_draft(tmp_path, "ana@example.org", now=later) is None
    assert load_draft(tmp_path, "ana@example.org") is None, "and removed"
