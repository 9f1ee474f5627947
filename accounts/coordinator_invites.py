"""Branches and their coordinators from a spreadsheet, and the invitation of new
coordinators (README, "Branches and coordinators from a spreadsheet").

`branch_import()` is the service, used by `manage.py import_branches` and the organisers'
upload page alike. The file is read and checked by `locations.branch_import` (places sit
below people); this module adds what needs accounts and writes:

- a branch is matched by name, whatever the case; a new name makes a new branch; a filled-in
  town or province replaces the branch's, an empty cell leaves it as it is;
- each address becomes a coordinator of its row's branch: an existing account as it is, a
  new address as a new account without a usable password (its address counted as
  verified: only the reader of that mailbox can set the password);
- the import only adds: a coordinator who is not in the file stays;
- everything is written in one transaction, or nothing is: a file with a bad row imports
  nothing unless `skip_bad_rows` is asked for (then the good rows, all or nothing);
- running it again changes nothing.

A coordinator who has never logged in and has no password (a new account, or one invited
before), or whose account's address was never verified (someone registered it and did not
confirm it: perhaps not its owner), is invited, after the commit, by a background task: a
mail with a link to set their password (allauth's password-reset link; using it verifies
the address), in their language when known, else in Dutch and English. Each mail is sent
through `send_once` with the key `coordinator-invite:{user_id}:{branch_id}`, so a retried
task or a second import never invites twice for the same branch.
"""

import logging
from dataclasses import dataclass, field

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.errors import DomainError
from common.tasks import background, enqueue_after_commit
from locations.branch_import import BranchFile, BranchRow, branch_file_read
from locations.importing import ImportFileError, RowProblem
from locations.models import Branch

from .mail import person_mail, send_once
from .models import User

logger = logging.getLogger(__name__)

BATCH = 500

__all__ = [
    "BranchImportConflict",
    "BranchImportReport",
    "ImportFileError",
    "branch_import",
    "coordinator_invites_send",
    "invite_key",
]


class BranchImportConflict(DomainError):
    """Branches or accounts changed while the import was writing; nothing was written."""

    code = "branch_import_conflict"
    default_message = _(
        "Branches or accounts were changed at the same moment; nothing was imported. "
        "Import the file again."
    )


@dataclass
class BranchImportReport:
    file: BranchFile
    dry_run: bool
    skip_bad_rows: bool
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_accounts: int = 0
    new_coordinators: int = 0
    invitations: int = 0
    written: bool = False

    @property
    def bad_rows(self) -> set[int]:
        return {problem.row for problem in self.problems}

    @property
    def skipped(self) -> bool:
        """Bad rows kept the good ones from being imported."""
        return bool(self.problems) and not self.dry_run and not self.written

    def problems_by_row(self) -> list[tuple[int, list[RowProblem]]]:
        grouped: dict[int, list[RowProblem]] = {}
        for problem in sorted(self.problems, key=lambda p: p.row):
            grouped.setdefault(problem.row, []).append(problem)
        return sorted(grouped.items())


def invite_key(user_id: int, branch_id: int) -> str:
    return f"coordinator-invite:{user_id}:{branch_id}"


def _users_by_address(addresses: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    ordered = sorted(addresses)
    # In batches: SQLite limits the parameters of one query.
    for start in range(0, len(ordered), BATCH):
        users = User.objects.annotate(address=Lower("email")).filter(
            address__in=ordered[start : start + BATCH]
        )
        found.update((user.address, user) for user in users)
    return found


def _verified_ids(users) -> set[int]:
    """The accounts among `users` whose own address (`User.email`) is verified."""
    users = {user.pk: user for user in users}
    verified: set[int] = set()
    ordered = sorted(users)
    for start in range(0, len(ordered), BATCH):
        rows = EmailAddress.objects.filter(
            user_id__in=ordered[start : start + BATCH], verified=True
        ).values_list("user_id", "email")
        verified.update(
            user_id
            for user_id, email in rows
            if email.lower() == (users[user_id].email or "").lower()
        )
    return verified


def _needs_invitation(user: User, verified: set[int]) -> bool:
    """A person who cannot log in yet: never logged in and no password, or an address
    nobody has shown to be theirs (someone registered it and never verified it: the
    invitation's link, mailed to that address, lets its owner choose the password, and
    using it verifies the address, `accounts.receivers.verify_address_on_password_reset`)."""
    if not user.is_active:
        return False
    if user.pk not in verified:
        return True
    return user.last_login is None and not user.has_usable_password()


def _account_problems(file: BranchFile, users: dict[str, User]) -> list[RowProblem]:
    problems = list(file.problems)
    for row in file.rows:
        for address in row.coordinators:
            user = users.get(address)
            if user is not None and not user.is_active:
                problems.append(
                    RowProblem(
                        row.row,
                        _("Coordinators"),
                        _("The account of %(address)s is closed.") % {"address": address},
                    )
                )
    return problems


def _branch_changes(row: BranchRow) -> dict[str, str]:
    branch = row.branch
    changes = {}
    if row.town and (branch is None or branch.town != row.town):
        changes["town"] = row.town
    if row.province and (branch is None or branch.province != row.province):
        changes["province"] = row.province
    return changes


def _unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:190] or "branch"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def _apply(report: BranchImportReport, rows: list[BranchRow], users: dict[str, User]) -> list:
    """Count (and unless a dry run, write) what `rows` change; the invitations to send."""
    dry_run = report.dry_run
    # Every coordinator link: a few per branch, of a few hundred branches.
    links = set(Branch.coordinators.through.objects.values_list("branch_id", "user_id"))
    taken_slugs = set(Branch.objects.values_list("slug", flat=True)) if not dry_run else set()
    new_addresses: set[str] = set()
    verified = _verified_ids(users.values())
    invitations = []
    for row in rows:
        changes = _branch_changes(row)
        branch = row.branch
        if branch is None:
            report.created += 1
            if not dry_run:
                branch = Branch.objects.create(
                    name=row.name, slug=_unique_slug(row.name, taken_slugs), **changes
                )
        elif changes:
            report.updated += 1
            if not dry_run:
                for name, value in changes.items():
                    setattr(branch, name, value)
                branch.save(update_fields=[*changes, "updated_at"])
        added = 0
        for address in row.coordinators:
            user = users.get(address)
            if user is None:
                if address in new_addresses:
                    added += 1
                    report.new_coordinators += 1
                    if dry_run:
                        report.invitations += 1
                    continue
                new_addresses.add(address)
                report.new_accounts += 1
                if not dry_run:
                    user = User(email=address)
                    user.set_unusable_password()
                    user.save()
                    EmailAddress.objects.create(
                        user=user, email=address, primary=True, verified=True
                    )
                    users[address] = user
                    verified.add(user.pk)
            if user is not None and branch is not None and (branch.pk, user.pk) in links:
                continue
            added += 1
            report.new_coordinators += 1
            if user is None or _needs_invitation(user, verified):
                report.invitations += 1
            if not dry_run:
                branch.coordinators.add(user)
                links.add((branch.pk, user.pk))
                if _needs_invitation(user, verified):
                    invitations.append([user.pk, branch.pk])
        if row.branch is not None and not changes and not added:
            report.unchanged += 1
        elif row.branch is not None and not changes and added:
            report.updated += 1
    return invitations


def branch_import(
    *, data: bytes, dry_run: bool = False, skip_bad_rows: bool = False, by=None
) -> BranchImportReport:
    """Import the branches and coordinators of a spreadsheet (bytes of a CSV or .xlsx
    file) and report what happened (or, with `dry_run`, would happen) to each row.

    Raises `ImportFileError` when the file as a whole cannot be read, and
    `BranchImportConflict` when a concurrent change made the writing fail (nothing
    written). A bad row is reported in `problems`; then nothing is written unless
    `skip_bad_rows`. `by` (the organiser) is logged only."""
    file = branch_file_read(data=data)
    addresses = {address for row in file.rows for address in row.coordinators}
    report = BranchImportReport(file=file, dry_run=dry_run, skip_bad_rows=skip_bad_rows)
    if dry_run:
        users = _users_by_address(addresses)
        report.problems = _account_problems(file, users)
        bad = report.bad_rows
        _apply(report, [row for row in file.rows if row.row not in bad], users)
        return report
    if file.problems and not skip_bad_rows:
        report.problems = _account_problems(file, _users_by_address(addresses))
        return report
    try:
        with transaction.atomic():
            # Asked again inside the transaction, which on SQLite holds the write lock and
            # on PostgreSQL meets a concurrent import at the unique name, slug or address.
            file = branch_file_read(data=data)
            report.file = file
            users = _users_by_address(addresses)
            report.problems = _account_problems(file, users)
            if report.problems and not skip_bad_rows:
                return report
            bad = report.bad_rows
            invitations = _apply(report, [row for row in file.rows if row.row not in bad], users)
            report.written = True
            if invitations:
                enqueue_after_commit(coordinator_invites_send, invitations)
    except IntegrityError:
        raise BranchImportConflict() from None
    logger.info(
        "branch import by user %s: %d created, %d updated, %d new accounts, %d invitations",
        getattr(by, "pk", None),
        report.created,
        report.updated,
        report.new_accounts,
        report.invitations,
    )
    return report


# --- The invitation ---------------------------------------------------------------------


def invitation_url(user: User) -> str:
    """allauth's link to set a new password: works until the person sets one or logs in,
    or `PASSWORD_RESET_TIMEOUT` passes."""
    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )
    return settings.SITE_URL + path


def invitation_message(user: User, branch: Branch):
    return person_mail(
        to=user.email,
        user=user,
        subject_template="accounts/email/coordinator_invite_subject.txt",
        body_template="accounts/email/coordinator_invite_message.txt",
        context={
            "branch": branch.name,
            "email": user.email,
            "url": invitation_url(user),
            "days": max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400)),
            "login_url": settings.SITE_URL + reverse("account_login"),
            "reset_url": settings.SITE_URL + reverse("account_reset_password"),
        },
    )


@background
def coordinator_invites_send(pairs: list[list[int]]) -> int:
    """Invite each (user id, branch id) pair's person to set their password, unless they
    have logged in or set one meanwhile, or are no longer that branch's coordinator."""
    user_ids = {user_id for user_id, _branch_id in pairs}
    branch_ids = {branch_id for _user_id, branch_id in pairs}
    users = User.objects.in_bulk(user_ids)
    verified = _verified_ids(users.values())
    branches = Branch.objects.in_bulk(branch_ids)
    current = {
        (user_id, branch_id)
        for user_id, branch_id in Branch.coordinators.through.objects.values_list(
            "user_id", "branch_id"
        )
    }

    def messages():
        for user_id, branch_id in pairs:
            user, branch = users.get(user_id), branches.get(branch_id)
            if user is None or branch is None or not user.email:
                continue
            if (user_id, branch_id) not in current or not _needs_invitation(user, verified):
                continue
            yield invite_key(user_id, branch_id), invitation_message(user, branch)

    return send_once(messages(), what="coordinator invitations")
