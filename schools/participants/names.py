"""Russian personal names in documents: the grammatical gender of a person, the salutation of
a letter («Уважаемый Алексей Михайлович!», «Уважаемая Анна Петровна!»), declension into the
cases an order or a letter needs (petrovich's rules), and initials («А. М. Лебедев»).

The gender comes from the patronymic first (-вич/-ич/-оглы/-улы — male, -вна/-чна/-кызы/-гызы
— female), then from the first name and the surname through petrovich's gender rules; a person
whose gender cannot be told gets a neutral salutation («Здравствуйте, Имя Отчество!») instead of
«Уважаемый(ая)»."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

MALE, FEMALE = "male", "female"

_MALE_PATRONYMIC = ("вич", "ич", "оглы", "улы", "уулу")
_FEMALE_PATRONYMIC = ("вна", "чна", "кызы", "гызы", "кизи")


class Case(IntEnum):
    """petrovich's case numbers."""

    GENITIVE = 0
    DATIVE = 1
    ACCUSATIVE = 2
    INSTRUMENTAL = 3
    PREPOSITIONAL = 4


@functools.cache
def _petrovich() -> object:
    from petrovich.main import Petrovich

    return Petrovich()


@functools.cache
def _gender_rules() -> dict[str, dict[str, list[str]]]:
    import petrovich

    path = Path(petrovich.__file__).parent / "rules" / "gender.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["gender"])


def _by_rules(part: str, name: str) -> str | None:
    rules = _gender_rules().get(part, {})
    word = name.lower().replace("ё", "е")
    matches: list[tuple[int, str]] = []
    for gender in (MALE, FEMALE, "androgynous"):
        for ending in rules.get(gender, []):
            ending = ending.lower().replace("ё", "е")
            if word == ending or word.endswith(ending):
                matches.append((len(ending), gender))
    if not matches:
        return None
    matches.sort(reverse=True)
    # The longest ending decides; two genders with an ending of the same length: unknown.
    if len(matches) > 1 and matches[0][0] == matches[1][0] and matches[0][1] != matches[1][1]:
        return None
    return None if matches[0][1] == "androgynous" else matches[0][1]


def gender_of(*, last_name: str = "", first_name: str = "", middle_name: str = "") -> str | None:
    """``"male"``, ``"female"`` or None when the name does not tell."""
    patronymic = middle_name.strip().lower()
    if patronymic:
        if patronymic.endswith(_FEMALE_PATRONYMIC):
            return FEMALE
        if patronymic.endswith(_MALE_PATRONYMIC):
            return MALE
    for part, value in (("firstname", first_name), ("lastname", last_name)):
        if value.strip():
            found = _by_rules(part, value.strip())
            if found is not None:
                return found
    return None


@dataclass(frozen=True)
class PersonName:
    last_name: str
    first_name: str
    middle_name: str = ""

    @property
    def gender(self) -> str | None:
        return gender_of(
            last_name=self.last_name, first_name=self.first_name, middle_name=self.middle_name
        )

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def given(self) -> str:
        """«Алексей Михайлович» (or the first name alone without a patronymic)."""
        return " ".join(p for p in (self.first_name, self.middle_name) if p)

    @property
    def initials_last(self) -> str:
        """«А. М. Лебедев», as a signature line writes it."""
        initials = " ".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{initials} {self.last_name}".strip()

    def salutation(self) -> str:
        """The opening line of a letter: «Уважаемый Алексей Михайлович!»."""
        gender = self.gender
        if gender == MALE:
            return f"Уважаемый {self.given}!"
        if gender == FEMALE:
            return f"Уважаемая {self.given}!"
        return f"Здравствуйте, {self.given}!"

    def inflect(self, case: Case) -> str:
        """The full name in ``case`` («Лебедеву Алексею Михайловичу» in the dative). A name whose
        gender is unknown is left as written."""
        gender = self.gender
        if gender is None:
            return self.full
        engine = _petrovich()
        parts = [
            engine.lastname(self.last_name, int(case), gender) if self.last_name else "",  # type: ignore[attr-defined]
            engine.firstname(self.first_name, int(case), gender) if self.first_name else "",  # type: ignore[attr-defined]
            engine.middlename(self.middle_name, int(case), gender) if self.middle_name else "",  # type: ignore[attr-defined]
        ]
        return " ".join(p for p in parts if p)


def person_name(person: object) -> PersonName:
    """The name of anything with ``last_name``, ``first_name``, ``middle_name`` (a participant,
    a user, an employer's specialist), without characters a document cannot hold."""
    from config.text import xml_safe

    return PersonName(
        last_name=xml_safe(getattr(person, "last_name", "") or "").strip(),
        first_name=xml_safe(getattr(person, "first_name", "") or "").strip(),
        middle_name=xml_safe(getattr(person, "middle_name", "") or "").strip(),
    )
