"""Passwords: argon2id hashing at OWASP's parameters, and the policy a new password must meet."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from competency.resources import package_data

# OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: Verified against for unknown accounts so that they cost the same time as known ones.
_DUMMY_HASH = _hasher.hash("not a real password: timing equaliser")

#: NIST SP 800-63B asks for at least 8; 12 makes the bundled list and guessing online both hopeless.
MIN_LENGTH = 12
MAX_LENGTH = 1024
#: Fewer distinct characters than this is a pattern ("aaaaaaaaaaaa", "abababababab"), not a password.
MIN_DISTINCT = 5


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; unknown accounts (no hash) take the same time and fail."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (data/common-passwords.txt), lower-cased."""
    text = package_data("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


#: The product's own words: the first guess against any installation of it ("competency2024").
PRODUCT_WORDS = frozenset({"competency", "competencies"})
#: Look-alike spellings undone before the list is searched ("P@ssw0rd" is "password").
_LOOK_ALIKES = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "8": "b",
        "3": "e",
        "1": "i",
        "!": "i",
        "0": "o",
        "$": "s",
        "5": "s",
        "7": "t",
        "+": "t",
    }
)


def _letters(text: str) -> str:
    """Lower-case letters and digits only: "Pass-word 12!" -> "password12"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def _candidates(password: str) -> set[str]:
    """The forms of `password` searched in the list: as typed, its letters and digits, without digits or
    symbols around it, with look-alikes undone, and the unit of a repetition ("passwordpassword")."""
    folded = unicodedata.normalize("NFKC", password).casefold()
    bare = _letters(password)
    core = re.sub(r"^\d+|\d+$", "", bare)
    # Digits and symbols around the word go first, so that "2024" is not read as "zoza".
    wrapped = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", folded)
    plain = _letters(wrapped.translate(_LOOK_ALIKES))
    found = {password.lower(), bare, core, plain}
    for text in list(found):
        if repeated := re.fullmatch(r"(.+?)\1+", text):
            found.add(repeated.group(1))
    return {text for text in found if text}


def _is_common(password: str) -> bool:
    listed = common_passwords()
    return any(candidate in listed for candidate in _candidates(password))


def _personal_words(email: str | None, name: str | None) -> set[str]:
    words = set()
    if email:
        local, _, domain = email.lower().partition("@")
        words |= {_letters(local), _letters(domain.split(".")[0])}
        words |= {_letters(part) for part in re.split(r"[._+\-]", local)}
    if name:
        words |= {_letters(part) for part in name.split()}
        words.add(_letters(name))
    return {w for w in words if len(w) >= 3}


def _built_from(password: str, words: set[str]) -> bool:
    """True when what is left after removing the person's own words (and digits) is too little."""
    rest = _letters(password)
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    rest = re.sub(r"\d", "", rest)
    return len(set(rest)) < MIN_DISTINCT and rest != _letters(password)


def check_password_policy(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """Why `password` may not be used by this person, or None. Written for the person choosing it.

    At least 12 characters; not one of the 100,000 most common passwords (nor one with digits or
    symbols added, in look-alike spelling or repeated); not built from the person's email or name or
    the product's name; not a run of a few characters.
    """
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a few words you will remember make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if len(set(password)) < MIN_DISTINCT:
        return "Use more different characters: a repeated pattern is guessed at once."
    if _is_common(password):
        return "This password is one of the most common ones and is guessed at once. Choose another."
    if _built_from(password, _personal_words(email, name)):
        return "Do not build your password from your name or email address. Choose another."
    if _built_from(password.translate(_LOOK_ALIKES), set(PRODUCT_WORDS)):
        return (
            "Do not build your password from the name of this service: it is the first guess. Choose another."
        )
    return None


def password_problem(password: str, *, email: str | None = None, name: str | None = None) -> str | None:
    """The same check under its older name (CLI, demo and admin call it)."""
    return check_password_policy(password, email=email, name=name)
