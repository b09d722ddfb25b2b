"""The datacity command: version, schema commands and configuration errors."""

from __future__ import annotations

from typer.testing import CliRunner

from crawler import __version__
from crawler.cli import app

runner = CliRunner()


def test_version() -> None:
    """--version prints the package version."""
    result = runner.invoke(app, ["--version"])

    assert result.exit_code == 0
    assert result.output.strip() == f"datacity {__version__}"


def test_db_upgrade_then_current(tmp_path, monkeypatch) -> None:
    """db upgrade creates the schema; db current then reports the head revision."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")

    upgraded = runner.invoke(app, ["db", "upgrade"])
    current = runner.invoke(app, ["db", "current"])

    assert upgraded.exit_code == 0, upgraded.output
    assert current.output.strip().endswith("(head)")


def test_bad_database_url_is_one_clear_line(monkeypatch) -> None:
    """A wrong DATABASE_URL names the variable and value, without a traceback."""
    monkeypatch.setenv("DATABASE_URL", "mysql://nobody@nowhere/db")

    result = runner.invoke(app, ["db", "upgrade"])

    assert result.exit_code == 2
    assert "DATABASE_URL='mysql://nobody@nowhere/db'" in result.output
    assert "Traceback" not in result.output


def test_unreachable_database_is_one_clear_line(monkeypatch) -> None:
    """A database that refuses connections gets a message, not a traceback."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none")

    result = runner.invoke(app, ["db", "current"])

    assert result.exit_code == 2
    assert "cannot reach the database" in result.output
