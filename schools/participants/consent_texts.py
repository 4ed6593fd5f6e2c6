"""The texts people sign, by purpose and version. A consent record keeps the version and the
SHA-256 of the text, so the register proves which words were agreed to. Never edit a published
text: add a new version and make it current."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from schools.participants.models import ConsentPurpose


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


_TEXTS = [
    ConsentText(
        ConsentPurpose.PERSONAL_DATA,
        "2026-1",
        "В соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных» "
        "даю согласие образовательной организации на обработку персональных данных субъекта: "
        "фамилии, имени, отчества, даты рождения, сведений об обучении (классе, группе) и "
        "работе, контактных данных, а также сведений, указанных в анкетах участника программы "
        "наставничества, в целях реализации программы наставничества (формирования баз "
        "наставников и наставляемых, подбора наставнических пар и групп, мониторинга и оценки "
        "программы), включая сбор, запись, систематизацию, накопление, хранение, уточнение, "
        "использование, обезличивание, блокирование и уничтожение. Согласие действует до "
        "окончания участия в программе наставничества и может быть отозвано письменным "
        "заявлением; после отзыва обработка прекращается, а персональные данные уничтожаются "
        "в срок, не превышающий тридцати дней.",
    ),
    ConsentText(
        ConsentPurpose.PROGRAMME_PARTICIPATION,
        "2026-1",
        "Даю согласие на участие субъекта в программе наставничества образовательной "
        "организации в соответствии с положением о программе наставничества, включая участие "
        "во встречах наставнической пары или группы, в анкетировании и итоговых мероприятиях.",
    ),
    ConsentText(
        ConsentPurpose.PHOTO_VIDEO,
        "2026-1",
        "Даю согласие на фото- и видеосъёмку субъекта на мероприятиях программы наставничества "
        "и на размещение материалов на официальном сайте образовательной организации.",
    ),
]

TEXTS: dict[tuple[str, str], ConsentText] = {(t.purpose, t.version): t for t in _TEXTS}
CURRENT_VERSION: dict[str, str] = {
    ConsentPurpose.PERSONAL_DATA: "2026-1",
    ConsentPurpose.PROGRAMME_PARTICIPATION: "2026-1",
    ConsentPurpose.PHOTO_VIDEO: "2026-1",
}


def consent_text(*, purpose: str, version: str | None = None) -> ConsentText | None:
    return TEXTS.get((purpose, version or CURRENT_VERSION.get(purpose, "")))
