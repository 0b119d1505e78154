"""`amity import` as a real process, with its progress line, and an import run by a real worker."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

from tests.core.test_processes import AMITY, _wait_for, amity, amity_env, prepared

__all__ = ["amity_env", "prepared"]  # fixtures, used by name


def _workspace(env: dict[str, str]) -> str:
    return amity(env, "workspace", "create", "Acme Corp", "--owner", "ops@example.com").stdout.strip()


def test_the_cli_imports_a_file_with_a_progress_line_and_a_summary(prepared: dict[str, str], tmp_path: Path) -> None:
    slug = _workspace(prepared)
    people = tmp_path / "people.csv"
    people.write_text(
        "Vorname;Nachname;E-Mail;Notes\n" + "".join(f"P{n};Müller;p{n}@example.com;x\n" for n in range(12000)) + "Bad;Row;nope;x\n",
        encoding="utf-8-sig",
    )

    result = amity(prepared, "import", "contacts", str(people), "--workspace", slug, "--map", "Notes=", check=False)

    assert result.returncode == 0, result.stderr
    assert "  100% 12,001/12,001 rows" in result.stderr  # text mode reads the \\r before it as a newline
    assert "rows/s" in result.stderr
    assert "12,000 created, 0 updated, 0 skipped, 1 failed" in result.stdout
    with sqlite3.connect(tmp_path / "amity.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM customers_contact WHERE last_name = 'Müller'").fetchone() == (12000,)
        assert {row[0] for row in db.execute("SELECT door FROM core_auditentry WHERE object_type = 'imports.import'")} == {"import", "cli"}
    log = amity(prepared, "import", "log", "1").stdout.splitlines()
    assert log[-1] == "12002,failed,,E-Mail: Enter a valid email address."


def test_the_cli_explains_a_missing_file_an_unknown_workspace_and_mapping(prepared: dict[str, str], tmp_path: Path) -> None:
    slug = _workspace(prepared)
    people = tmp_path / "people.csv"
    people.write_text("Email\na@example.com\n")

    missing = amity(prepared, "import", "contacts", str(tmp_path / "nope.csv"), "--workspace", slug, check=False)
    nowhere = amity(prepared, "import", "contacts", str(people), "--workspace", "nope", check=False)
    unmapped = amity(prepared, "import", "contacts", str(people), "--workspace", slug, "--map", "Email=mail", check=False)

    assert (missing.returncode, nowhere.returncode, unmapped.returncode) == (1, 1, 1)
    assert "no file at" in missing.stderr
    assert "no workspace with the slug 'nope" in nowhere.stderr
    assert "mapping.Email: There is no field 'mail' for contacts" in unmapped.stderr
    assert all("Traceback" not in result.stderr for result in (missing, nowhere, unmapped))


def test_all_or_nothing_exits_non_zero_and_imports_nothing(prepared: dict[str, str], tmp_path: Path) -> None:
    slug = _workspace(prepared)
    people = tmp_path / "people.csv"
    people.write_text("Email\na@example.com\nbroken\n")

    result = amity(prepared, "import", "contacts", str(people), "--workspace", slug, "--all-or-nothing", check=False)

    assert result.returncode == 1
    assert "nothing was imported" in result.stdout
    with sqlite3.connect(tmp_path / "amity.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM customers_contact").fetchone() == (0,)


def test_a_worker_runs_an_uploaded_import(prepared: dict[str, str], tmp_path: Path) -> None:
    slug = _workspace(prepared)
    code = (
        "from django.core.files.base import ContentFile; from amity.core.models import User, Workspace; "
        "from amity.imports.services import import_create; "
        f"import_create(actor=User.objects.get(email='ops@example.com'), workspace=Workspace.objects.get(slug='{slug}'), "
        "kind='accounts', file=ContentFile(b'Company,Website\\nAcme,acme.com\\nGlobex,globex.com\\n'), file_name='a.csv')"
    )
    amity(prepared, "manage", "shell", "-c", code)
    worker = subprocess.Popen([*AMITY, "worker"], env=prepared, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def done() -> bool:
        with sqlite3.connect(tmp_path / "amity.sqlite3") as db:
            return db.execute("SELECT status, created FROM imports_import").fetchone() == ("done", 2)

    try:
        assert _wait_for(done), "the worker did not run the import"
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output
