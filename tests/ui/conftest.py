"""The evaluator's desktop under test: a real committee file, isolated Qt settings, headless Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from tests import builders
from tests.builders import CommitteeFile, State
from tests.ui import screenshots
from ui.app import guard_none_refcount

guard_none_refcount()  # the GUI's protection against PySide6's stray decrements of None (see ui/app.py)


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots go to a temporary folder of the session (or to $VALUTAZIONE_SCREENSHOTS), never the repo."""
    folder = tmp_path_factory.mktemp("screenshots")
    screenshots.use_session_folder(folder)
    return folder


@pytest.fixture(autouse=True)
def isolated_settings(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """QSettings of tests live in a temporary folder under an organisation of their own."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    QCoreApplication.setOrganizationName(f"valutazione-test-{uuid.uuid4().hex[:8]}")
    QCoreApplication.setApplicationName("valutazione-test")
    yield


@pytest.fixture(scope="session")
def committee_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Milan call, the sample applications with their PDFs, a committee of four (built once per session)."""
    path = tmp_path_factory.mktemp("template") / "commissione.valutazione"
    return builders.committee_file(path, State.IMPORTED, attachments=True).path


@pytest.fixture
def committee_file(committee_template: Path, tmp_path: Path) -> CommitteeFile:
    """A fresh copy per test (SQLite backup API: consistent even with a WAL)."""
    from valutazione.db import backup_to

    target = tmp_path / "commissione.valutazione"
    backup_to(committee_template, target)
    return CommitteeFile(target)
