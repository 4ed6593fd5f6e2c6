"""The documents of stage 1 as DOCX, as a director signs them: the orders «О внедрении целевой
модели наставничества», «О назначении координатора и кураторов», «Об утверждении программы
наставничества и дорожной карты» (with the regulation and the roadmap as its appendices), and
the regulation (положение) on the programme on its own.

They are built from the programme's set-up (forms, goals, planned results, coordinator,
curators per class, director) and its roadmap; the duties follow the roadmap of the seeds
(director and deputies approve; the coordinator organises; curators work with their classes).
Russian office documents: their text is Russian data, not translated UI strings. The caller
(the documents app) gathers the data through the apps' interfaces."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from docx.document import Document as DocumentType

from config import office
from schools.programmes.models import Programme, RoadmapActivity, Stage

FORM_NAMES_RU = {
    "student_student": "студент – студент",
    "pupil_pupil": "ученик – ученик",
    "teacher_teacher": "педагог – педагог",
    "teacher_student": "педагог (мастер) – студент",
    "student_pupil": "студент – ученик",
    "employer_pupil": "работодатель – ученик",
    "employer_student": "работодатель – студент",
}
ROLE_NAMES_RU = {
    "director": "Директор",
    "deputy": "Заместители директора",
    "coordinator": "Координатор",
    "curator": "Кураторы",
    "mentor": "Наставники",
}
STAGE_NAMES_RU = {
    Stage.PREPARATION: "Подготовка условий для запуска программы наставничества",
    Stage.MENTEE_BASE: "Формирование базы наставляемых",
    Stage.MENTOR_BASE: "Формирование базы наставников",
    Stage.MATCHING: "Отбор наставников и формирование наставнических пар и групп",
    Stage.WORK: "Организация и осуществление работы наставнических пар и групп",
    Stage.COMPLETION: "Завершение программы наставничества",
}
R145 = (
    "распоряжением Министерства просвещения Российской Федерации от 25.12.2019 № Р-145 «Об "
    "утверждении методологии (целевой модели) наставничества обучающихся для организаций, "
    "осуществляющих образовательную деятельность по общеобразовательным, дополнительным "
    "общеобразовательным и программам среднего профессионального образования, в том числе с "
    "применением лучших практик обмена опытом между обучающимися»"
)
AZ_1128 = (
    "письмом Министерства просвещения Российской Федерации и Общероссийского Профсоюза "
    "образования от 21.12.2021 № АЗ-1128/08 «О направлении методических рекомендаций по "
    "разработке и внедрению системы (целевой модели) наставничества педагогических работников "
    "в образовательных организациях»"
)
TEACHER_FORMS = frozenset({"teacher_teacher"})

ORDER_TITLES = {
    "introduction": "О внедрении целевой модели наставничества",
    "appointment": "О назначении координатора и кураторов внедрения целевой модели наставничества",
    "programme_approval": "Об утверждении программы наставничества и дорожной карты",
}
REGULATION_TITLE = "Положение о программе наставничества"


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str = ""
    middle_name: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def initials(self) -> str:
        return office.initials(self.last_name, self.first_name, self.middle_name)

    @classmethod
    def of(cls, user: object | None) -> Person | None:
        if user is None:
            return None
        return cls(
            last_name=str(getattr(user, "last_name", "") or getattr(user, "username", "")),
            first_name=str(getattr(user, "first_name", "") or ""),
            middle_name=str(getattr(user, "middle_name", "") or ""),
        )


@dataclass(frozen=True)
class Curatorship:
    """A curator and the classes or study groups it curates."""

    curator: Person
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageOne:
    """What the stage-1 documents are made from."""

    institution: object | None
    programme: Programme
    coordinator: Person | None
    director: Person | None
    curators: Sequence[Curatorship] = ()
    roadmap: Sequence[RoadmapActivity] = field(default_factory=list)

    @property
    def institution_name(self) -> str:
        return str(getattr(self.institution, "name", "") or "образовательной организации")

    @property
    def is_college(self) -> bool:
        return getattr(self.institution, "kind", "") == "college"

    @property
    def year(self) -> str:
        return f"{self.programme.academic_year}/{self.programme.academic_year + 1}"

    @property
    def forms(self) -> list[str]:
        return [FORM_NAMES_RU.get(form, form) for form in self.programme.forms]

    @property
    def director_initials(self) -> str:
        return self.director.initials if self.director else ""


def _lines(text: str) -> list[str]:
    """The non-empty lines of a free text, without list marks the user typed."""
    return [line.strip().lstrip("-•·–—").strip() for line in text.splitlines() if line.strip()]


def _numbered(document: DocumentType, items: Sequence[str], *, prefix: str = "") -> None:
    for number, item in enumerate(items, start=1):
        office.justified(document, f"{prefix}{number}. {item}")


def _header(document: DocumentType, data: StageOne) -> None:
    office.institution_header(document, data.institution)


def _forms_text(data: StageOne) -> str:
    forms = data.forms
    return "; ".join(f"«{form}»" for form in forms) if forms else "(формы не выбраны)"


def _legal_basis(data: StageOne) -> str:
    """«Федеральным законом … , распоряжением … Р-145» (and the teachers' recommendations when
    the programme runs teacher – teacher), in the instrumental case."""
    basis = "Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», "
    basis += R145
    if TEACHER_FORMS & set(data.programme.forms):
        basis += f", {AZ_1128}"
    return basis


def _basis(data: StageOne) -> str:
    return f"В соответствии с {_legal_basis(data)}"


# --- the orders -------------------------------------------------------------------------------


def introduction_order_docx(
    data: StageOne, *, number: str = "", day: datetime.date | None = None
) -> bytes:
    """Приказ «О внедрении целевой модели наставничества»."""
    document = office.new_document()
    _header(document, data)
    office.order_heading(document, title=ORDER_TITLES["introduction"], number=number, day=day)
    office.justified(
        document,
        f"{_basis(data)}, в целях максимально полного раскрытия потенциала личности "
        "наставляемого, создания условий для формирования эффективной системы поддержки, "
        "самоопределения и профессиональной ориентации обучающихся в возрасте от 10 лет, "
        "педагогических работников и молодых специалистов",
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    coordinator = data.coordinator.full_name if data.coordinator else "координатора программы"
    clauses = [
        f"Внедрить целевую модель наставничества в {data.institution_name} в {data.year} "
        "учебном году.",
        f"Реализовывать следующие формы наставничества: {_forms_text(data)}.",
        "Назначить координатора и кураторов внедрения целевой модели наставничества отдельным "
        "приказом.",
        f"Координатору ({coordinator}) разработать и представить на утверждение положение о "
        "программе наставничества и дорожную карту внедрения целевой модели наставничества "
        f"на {data.year} учебный год.",
        "Провести информирование педагогических работников, обучающихся, родителей (законных "
        "представителей) и партнёров о целях и возможностях программы наставничества "
        "(педагогический совет, классные часы, родительские собрания, сайт образовательной "
        "организации).",
        "Обеспечить сбор согласий на обработку персональных данных участников программы "
        "наставничества, а для несовершеннолетних — согласий их родителей (законных "
        "представителей), в соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ "
        "«О персональных данных».",
        "Разместить информацию о внедрении целевой модели наставничества на официальном сайте "
        "образовательной организации.",
        "Контроль исполнения настоящего приказа оставляю за собой.",
    ]
    _numbered(document, clauses)
    office.director_signature(document, data.director_initials)
    office.acknowledgement(document, [data.coordinator.full_name] if data.coordinator else [])
    return office.docx_bytes(document)


COORDINATOR_DUTIES = (
    "организует разработку и реализацию программы наставничества и дорожной карты, "
    "контролирует сроки её мероприятий;",
    "формирует базы наставников и наставляемых, организует сбор согласий на обработку "
    "персональных данных;",
    "организует отбор наставников, групповую встречу наставников и наставляемых и "
    "формирование наставнических пар и групп;",
    "готовит проекты приказов по программе наставничества и представляет их на утверждение "
    "директору;",
    "организует мониторинг и оценку качества реализации программы и её влияния на участников, "
    "готовит отчёт о результатах;",
    "взаимодействует с региональным центром наставничества и организациями-партнёрами.",
)
CURATOR_DUTIES = (
    "информируют обучающихся и родителей (законных представителей) закреплённых классов "
    "(учебных групп) о программе наставничества (классные часы, родительские собрания);",
    "организуют сбор согласий на обработку персональных данных и анкетирование желающих "
    "участвовать в программе;",
    "собирают запросы наставляемых от обучающихся, родителей, педагогов и социального педагога;",
    "сопровождают работу наставнических пар и групп своих классов: учитывают встречи, "
    "организуют анкетирование обратной связи;",
    "участвуют в мониторинге и оценке результатов программы наставничества.",
)


def appointment_order_docx(
    data: StageOne, *, number: str = "", day: datetime.date | None = None
) -> bytes:
    """Приказ «О назначении координатора и кураторов внедрения целевой модели наставничества»
    with the curators per class or study group."""
    document = office.new_document()
    _header(document, data)
    office.order_heading(document, title=ORDER_TITLES["appointment"], number=number, day=day)
    office.justified(
        document,
        f"{_basis(data)}, в целях организации внедрения целевой модели наставничества в "
        f"{data.year} учебном году",
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    coordinator = data.coordinator.full_name if data.coordinator else office.BLANK
    office.justified(
        document,
        f"1. Назначить координатором внедрения целевой модели наставничества {coordinator}.",
    )
    office.justified(document, "2. Возложить на координатора следующие обязанности:")
    for duty in COORDINATOR_DUTIES:
        office.justified(document, f"— {duty}")
    group_word = "учебным группам" if data.is_college else "классам (учебным группам)"
    office.justified(
        document,
        f"3. Назначить кураторами программы наставничества по {group_word}:",
    )
    rows = [
        (str(position), item.curator.full_name, ", ".join(item.groups) or "—")
        for position, item in enumerate(data.curators, start=1)
    ]
    office.table(document, ("№", "Куратор", "Классы (учебные группы)"), rows)
    office.justified(document, "4. Кураторам:")
    for duty in CURATOR_DUTIES:
        office.justified(document, f"— {duty}")
    office.justified(document, "5. Контроль исполнения настоящего приказа оставляю за собой.")
    office.director_signature(document, data.director_initials)
    names = ([data.coordinator.full_name] if data.coordinator else []) + [
        item.curator.full_name for item in data.curators
    ]
    office.acknowledgement(document, names)
    return office.docx_bytes(document)


def programme_approval_order_docx(
    data: StageOne, *, number: str = "", day: datetime.date | None = None
) -> bytes:
    """Приказ «Об утверждении программы наставничества и дорожной карты», with the regulation
    (appendix 1) and the roadmap (appendix 2)."""
    document = office.new_document()
    _header(document, data)
    title = ORDER_TITLES["programme_approval"]
    office.order_heading(document, title=title, number=number, day=day)
    office.justified(
        document,
        f"{_basis(data)}, на основании приказа о внедрении целевой модели наставничества",
    )
    document.add_paragraph("ПРИКАЗЫВАЮ:")
    clauses = [
        f"Утвердить положение о программе наставничества «{data.programme.title}» (приложение 1).",
        "Утвердить дорожную карту внедрения целевой модели наставничества на "
        f"{data.year} учебный год (приложение 2).",
        "Координатору и кураторам обеспечить выполнение мероприятий дорожной карты в "
        "установленные сроки.",
        "Разместить положение о программе наставничества и дорожную карту на официальном "
        "сайте образовательной организации.",
        "Контроль исполнения настоящего приказа оставляю за собой.",
    ]
    _numbered(document, clauses)
    office.director_signature(document, data.director_initials)
    office.acknowledgement(document, [data.coordinator.full_name] if data.coordinator else [])

    stamp = ["Приложение 1", "УТВЕРЖДЕНО приказом", _order_reference(number, day)]
    office.page_break(document)
    _regulation(document, data, stamp=stamp)
    office.page_break(document)
    office.approval_stamp(
        document, lines=["Приложение 2", "УТВЕРЖДЕНА приказом", _order_reference(number, day)]
    )
    _roadmap(document, data)
    return office.docx_bytes(document)


def _order_reference(number: str, day: datetime.date | None) -> str:
    when = day.strftime("%d.%m.%Y") if day else "«___» ________ 20__ г."
    return f"от {when} № {number or office.BLANK}"


def _roadmap(document: DocumentType, data: StageOne) -> None:
    office.centred_title(
        document,
        "Дорожная карта",
        f"реализации целевой модели наставничества в {data.institution_name}",
        f"на {data.year} учебный год",
    )
    rows = []
    for position, activity in enumerate(
        sorted(data.roadmap, key=lambda a: (a.stage, a.position, a.deadline, a.pk or 0)),
        start=1,
    ):
        roles = ", ".join(ROLE_NAMES_RU.get(role, role) for role in activity.responsible_roles)
        rows.append(
            (
                str(position),
                STAGE_NAMES_RU.get(Stage(activity.stage), str(activity.stage)),
                activity.title,
                activity.content,
                activity.deadline.strftime("%d.%m.%Y"),
                roles,
            )
        )
    office.table(
        document,
        ("№", "Этап", "Мероприятие", "Содержание деятельности", "Срок", "Ответственные"),
        rows,
    )


# --- the regulation ------------------------------------------------------------------------------


def programme_regulation_docx(data: StageOne) -> bytes:
    """Положение о программе наставничества, on its own (appendix 1 of the approval order)."""
    document = office.new_document()
    stamp = ["УТВЕРЖДЕНО", "приказом директора", _order_reference("", None)]
    _regulation(document, data, stamp=stamp)
    return office.docx_bytes(document)


def _regulation(document: DocumentType, data: StageOne, *, stamp: Sequence[str]) -> None:
    programme = data.programme
    office.approval_stamp(document, lines=list(stamp))
    office.centred_title(
        document,
        REGULATION_TITLE.upper(),
        f"«{programme.title}»",
        f"{data.institution_name}, {data.year} учебный год",
    )
    office.bold_line(document, "1. Общие положения")
    _numbered(
        document,
        [
            f"Настоящее положение разработано в соответствии с {_legal_basis(data)} и определяет"
            " цели, задачи, формы, порядок организации и оценки программы "
            "наставничества.",
            "Наставничество — универсальная технология передачи опыта, знаний, формирования "
            "навыков, компетенций, метакомпетенций и ценностей через неформальное "
            "взаимообогащающее общение, основанное на доверии и партнёрстве.",
            "Наставник — участник программы, имеющий успешный опыт в достижении жизненного, "
            "личностного и профессионального результата, готовый и компетентный поделиться "
            "опытом и навыками. Наставляемый — участник программы, который через "
            "взаимодействие с наставником решает конкретные жизненные, личные и "
            "профессиональные задачи, приобретает новый опыт и развивает новые навыки и "
            "компетенции.",
            "Участие в программе наставничества добровольное. Программа реализуется в течение "
            f"{data.year} учебного года.",
        ],
        prefix="1.",
    )
    office.bold_line(document, "2. Цели и задачи программы")
    goals = _lines(programme.goals) or [
        "Максимально полное раскрытие потенциала личности наставляемого, необходимое для "
        "успешной личной и профессиональной самореализации."
    ]
    _numbered(document, goals, prefix="2.")
    office.bold_line(document, "3. Планируемые результаты")
    results = _lines(programme.planned_results) or [
        "Измеримое улучшение показателей обучающихся в образовательной, культурной, спортивной "
        "и других сферах."
    ]
    _numbered(document, results, prefix="3.")
    office.bold_line(document, "4. Формы наставничества")
    office.justified(
        document,
        "4.1. В образовательной организации реализуются формы наставничества: "
        f"{_forms_text(data)}. Работа ведётся в наставнических парах или группах (один "
        "наставник и один или несколько наставляемых).",
    )
    office.bold_line(document, "5. Организация программы и роли участников")
    coordinator = data.coordinator.full_name if data.coordinator else "назначается приказом"
    _numbered(
        document,
        [
            "Директор утверждает программу наставничества, дорожную карту, приказы о "
            "назначении координатора и кураторов, о закреплении наставнических пар (групп) и о "
            "поощрении участников; обеспечивает ресурсы программы.",
            f"Координатор программы ({coordinator}): {' '.join(COORDINATOR_DUTIES)}",
            f"Кураторы закреплённых классов (учебных групп): {' '.join(CURATOR_DUTIES)}",
            "Наставник помогает наставляемому определить цели и составить индивидуальный план "
            "развития, проводит встречи, фиксирует их результаты, участвует в анкетировании "
            "и мониторинге.",
            "Наставляемый выполняет индивидуальный план развития, участвует во встречах, "
            "анкетировании и итоговом мероприятии.",
        ],
        prefix="5.",
    )
    office.bold_line(document, "6. Этапы реализации программы")
    _numbered(document, [f"{name}." for name in STAGE_NAMES_RU.values()], prefix="6.")
    office.justified(
        document,
        "Мероприятия этапов, сроки и ответственные определяются дорожной картой на учебный год.",
    )
    office.bold_line(document, "7. Формирование наставнических пар и групп")
    _numbered(
        document,
        [
            "Наставники отбираются по критериям: желание участвовать в программе, "
            "профессиональный опыт, развитые коммуникативные компетенции, ресурс времени, "
            "положительный жизненный и профессиональный опыт, соответствие запросам "
            "наставляемых, активная гражданская позиция, мотивация.",
            "Пары и группы формируются по результатам сопоставления анкет наставников и "
            "наставляемых, групповой встречи и анкетирования о предпочтениях её участников, "
            "и закрепляются приказом директора.",
            "Для каждого наставляемого составляется индивидуальный план развития. "
            "Наставляемым, не вошедшим в пару или группу, оказывается поддержка, поиск "
            "наставника продолжается.",
            "Работа пары (группы) включает организационную встречу, пробную рабочую встречу, "
            "встречу-планирование, регулярные встречи и заключительную встречу.",
        ],
        prefix="7.",
    )
    office.bold_line(document, "8. Мониторинг и оценка результатов")
    _numbered(
        document,
        [
            "Мониторинг проводится в двух направлениях: оценка качества реализации программы "
            "(организационные, методические и кадровые параметры) и оценка влияния программы "
            "на всех участников (мотивация, включённость, личностные и профессиональные "
            "результаты).",
            "Анкетирование участников проводится в начале и по итогам работы по единым "
            "анкетам; удовлетворённость участием оценивается наставниками и наставляемыми по "
            "завершении программы.",
        ],
        prefix="8.",
    )
    office.bold_line(document, "9. Мотивация и поощрение наставников")
    office.justified(
        document,
        "9.1. По итогам программы лучшие наставники и наставнические пары (группы) "
        "поощряются приказом директора; организациям-партнёрам направляются благодарственные "
        "письма; успешные практики публикуются на сайте образовательной организации.",
    )
    office.bold_line(document, "10. Персональные данные")
    office.justified(
        document,
        "10.1. Персональные данные участников обрабатываются только при наличии их согласия "
        "(для несовершеннолетних — согласия родителей (законных представителей)) в "
        "соответствии с Федеральным законом от 27.07.2006 № 152-ФЗ «О персональных данных». "
        "При отзыве согласия работа наставнической пары (группы) с участием субъекта "
        "приостанавливается, сведения о нём не включаются в документы программы, а "
        "персональные данные уничтожаются в течение тридцати дней.",
    )
    office.bold_line(document, "11. Заключительные положения")
    office.justified(
        document,
        "11.1. Положение вступает в силу с момента утверждения приказом директора и действует "
        "до окончания программы наставничества. Изменения вносятся приказом директора.",
    )


DOCUMENTS = {
    "introduction": introduction_order_docx,
    "appointment": appointment_order_docx,
    "programme_approval": programme_approval_order_docx,
}
