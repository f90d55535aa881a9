"""Backups of the data: `flask backup PATH` and `flask restore PATH`, with SQLite's online backup
API or PostgreSQL's own pg_dump (custom format) and pg_restore."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.engine import make_url

from .db import db


class BackupError(Exception):
    """A backup or restore that could not be made (the message says why)."""


def _sqlite_path() -> str:
    return make_url(db.engine.url).database


def _libpq_url() -> str:
    # pg_dump and pg_restore read libpq URLs: no "+psycopg" driver, the password kept.
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(done.stderr.strip() or f"{command[0]} failed")


def backup(path: Path) -> None:
    """Write a consistent copy of the database to path, while the site keeps running."""
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(_sqlite_path()) as source, sqlite3.connect(path) as target:
            source.backup(target)
        target.close()
        source.close()
    elif db.engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), _libpq_url()])
    else:
        raise BackupError(f"no backup for {db.engine.dialect.name}")


def restore(path: Path) -> None:
    """Replace the database's contents with a backup made by `backup` (stop the site first)."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        with sqlite3.connect(path) as source, sqlite3.connect(_sqlite_path()) as target:
            source.backup(target)
        target.close()
        source.close()
    elif db.engine.dialect.name == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--dbname", _libpq_url(), str(path)])
    else:
        raise BackupError(f"no restore for {db.engine.dialect.name}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Back the database up into PATH (SQLite file copy, or pg_dump custom format)."""
    try:
        backup(path)
    except (BackupError, OSError, sqlite3.Error) as error:
        click.echo(f"Sauvegarde impossible : {error}", err=True)
        sys.exit(1)
    click.echo(f"Sauvegarde écrite : {path}")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Replace the database's contents with the backup in PATH."""
    try:
        restore(path)
    except (BackupError, OSError, sqlite3.Error) as error:
        click.echo(f"Restauration impossible : {error}", err=True)
        sys.exit(1)
    click.echo(f"Base restaurée depuis {path}")


def init_app(app: Flask) -> None:
    """Register `flask backup` and `flask restore`."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
