"""Export everything a partner firm owns: a ZIP of CSV files and a JSON manifest.

    python manage.py export_firm --firm ent_... --out alpha.zip [--quiet]

A progress bar per file on standard error (silenced by --quiet); one line per file on standard
output once done. The archive is written to FILE.partial and renamed when complete, so FILE is
never a half-written archive. What it holds: `axiomatic.entities.services.firm_export`.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.access import partner_firm
from axiomatic.entities.services import firm_export


class _Unterminated:
    """The command's stderr as tqdm writes to it: as it is (Django's wrapper adds line ends)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def flush(self) -> None:
        self.wrapper.flush()


class _Bars:
    """One tqdm bar per file, made when the file starts."""

    def __init__(self, out) -> None:
        self.out = out
        self.bars: dict[str, tqdm] = {}

    def __call__(self, name: str, written: int, expected: int) -> None:
        bar = self.bars.get(name)
        if bar is None:
            bar = self.bars[name] = tqdm(total=expected, desc=name, unit=" rows", file=self.out)
        bar.total = expected
        bar.update(written - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


class Command(BaseCommand):
    help = "Export a partner firm's data (clients, time, engagements, invoices, books...) as a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("--firm", required=True, help="The firm's id (ent_...).")
        parser.add_argument("--out", required=True, help="Where to write the archive (FILE.zip).")
        parser.add_argument("--quiet", action="store_true", help="No progress and no summary.")

    def handle(self, *args, firm: str, out: str, quiet: bool, **options):
        entity = partner_firm(firm)
        if entity is None:
            raise CommandError(f"No partner firm {firm}.")
        bars = None if quiet else _Bars(_Unterminated(self.stderr))
        target = Path(out)
        partial = target.with_name(target.name + ".partial")
        try:
            archive = firm_export(firm=entity, progress=bars)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        try:
            with partial.open("wb") as file:
                for chunk in archive.chunks():
                    file.write(chunk)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            if bars is not None:
                bars.close()
        os.replace(partial, target)
        if not quiet:
            for entry in archive.manifest["files"]:
                self.stdout.write(f"{entry['name']}: {entry['rows']} rows")
            self.stdout.write(f"Wrote {target} for {entity.name} ({entity.public_id}).")
