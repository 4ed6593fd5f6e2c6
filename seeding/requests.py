"""What generated people ask for and offer, the way schools write it.

A mentee's request or a mentor's competences are a few entries; each entry names a topic of
the catalogue either in the catalogue's own words, or in one of the wordings schools use (the
entry's ``synonyms``, which the catalogue recognises), or as free text that no catalogue entry
matches («Не понимает дроби и уравнения»): that one stays in the request's text only, as it
would until a curator tags it. Which topics a person has depends on who they are: a fifth
grader's adaptation, a ninth grader's exams and choice of profile, a young teacher's first
parents' meeting."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Free wordings that name a topic but are no wording of the catalogue.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "academic_results": (
        "Много троек по итогам четверти",
        "Не успевает по нескольким предметам",
        "Нужна помощь, чтобы исправить четвертные оценки",
    ),
    "math": ("Не понимает дроби и уравнения", "Тройка по алгебре в четверти"),
    "russian": ("Много ошибок в диктантах", "Трудно даются сочинения"),
    "foreign_language": ("Хочет заговорить по-английски", "Трудности с грамматикой английского"),
    "physics": ("Не даются задачи по механике",),
    "chemistry": ("Хочет поступать в медицинский, нужна химия",),
    "biology": ("Интересуется биологией, хочет в медицинский колледж",),
    "history": ("Хочет сдавать обществознание, не хватает знаний",),
    "informatics": ("Хочет научиться писать игры",),
    "exam_preparation": (
        "Сдаёт ОГЭ по математике и обществознанию",
        "Боится экзаменов",
        "Готовится к ЕГЭ по профильной математике",
    ),
    "olympiads": (
        "Призёр муниципального этапа ВсОШ, хочет пройти дальше",
        "Хочет участвовать в олимпиаде по биологии",
    ),
    "projects": (
        "Нужен руководитель индивидуального проекта",
        "Пишет работу для НПК о родном крае",
    ),
    "career_guidance": (
        "Не знает, куда поступать после 9 класса",
        "Выбирает между колледжем и 10 классом",
        "Хочет стать врачом, не знает, с чего начать",
    ),
    "motivation": ("Не хочет учиться, часто отвлекается на уроках", "Потерял интерес к учёбе"),
    "soft_skills": ("Боится выступать перед классом", "Хочет научиться работать в команде"),
    "digital_skills": ("Не умеет оформлять документы и презентации",),
    "entrepreneurship": ("Хочет открыть своё дело",),
    "professional_skills": ("Хочет попробовать себя в профессии на предприятии",),
    "engineering": ("Хочет заниматься роботами, а кружка в школе нет",),
    "adaptation": (
        "Новенький, перешёл из другой школы",
        "Трудно привыкнуть к новым учителям",
        "Первый год в школе",
    ),
    "socialisation": ("Мало общается с одноклассниками", "Нет друзей в классе"),
    "behaviour": (
        "Часто нарушает дисциплину на уроках",
        "Много пропусков без уважительной причины",
    ),
    "life_difficulties": ("Семья в трудной ситуации, нужна поддержка",),
    "psychological_support": ("Тревожится перед контрольными",),
    "leisure": ("Не занят во внеурочное время",),
    "creativity": ("Рисует, хочет развиваться", "Поёт, хочет выступать на концертах"),
    "sport": ("Хочет сдать нормы ГТО на золотой знак",),
    "volunteering": ("Хочет в школьный волонтёрский отряд",),
    "methodology": (
        "Трудно уложиться во время урока",
        "Как строить урок по обновлённым стандартам",
    ),
    "classroom_management": ("Шумно на уроках в 7 классе", "Впервые классный руководитель"),
    "working_with_parents": ("Первое родительское собрание", "Трудные разговоры с родителями"),
    "documentation": ("Много отчётов, не успевает",),
    "inclusion": ("В классе двое детей с ОВЗ, нужна помощь с АООП",),
    "assessment": ("Как объективно оценивать устные ответы",),
    "attestation": ("Аттестация на первую категорию в этом году",),
    "professional_growth": ("Хочет участвовать в конкурсе «Учитель года»",),
}


@dataclass(frozen=True)
class Wordings:
    """The catalogue as the generator needs it: code → (name, other wordings)."""

    names: Mapping[str, str]
    synonyms: Mapping[str, Sequence[str]]

    def write(self, rng: random.Random, code: str, *, free_share: float) -> str:
        """How a school writes the topic ``code``: the catalogue's name, one of its other
        wordings, or (with probability ``free_share``) free text the catalogue does not know."""
        free = FREE_TEXT.get(code, ())
        roll = rng.random()
        if free and roll < free_share:
            return rng.choice(free)
        synonyms = list(self.synonyms.get(code, ()))
        if synonyms and roll < free_share + (1 - free_share) * 0.5:
            return rng.choice(synonyms)
        return self.names[code]


# Who asks for what. (topic, weight); a subject may be added to an academic topic.
SUBJECTS = (
    "math",
    "russian",
    "foreign_language",
    "physics",
    "chemistry",
    "biology",
    "history",
    "informatics",
)
NEEDS_BY_GRADE: dict[int, tuple[tuple[str, int], ...]] = {
    5: (
        ("adaptation", 30),
        ("academic_results", 25),
        ("socialisation", 15),
        ("leisure", 10),
        ("motivation", 8),
        ("sport", 5),
        ("creativity", 5),
        ("behaviour", 4),
    ),
    6: (
        ("academic_results", 30),
        ("motivation", 12),
        ("socialisation", 10),
        ("leisure", 10),
        ("olympiads", 10),
        ("behaviour", 8),
        ("projects", 6),
        ("creativity", 5),
        ("sport", 5),
        ("digital_skills", 4),
    ),
    7: (
        ("academic_results", 30),
        ("motivation", 14),
        ("olympiads", 10),
        ("behaviour", 8),
        ("socialisation", 8),
        ("projects", 8),
        ("leisure", 6),
        ("digital_skills", 6),
        ("engineering", 5),
        ("volunteering", 5),
    ),
    8: (
        ("academic_results", 26),
        ("motivation", 12),
        ("olympiads", 12),
        ("projects", 10),
        ("career_guidance", 10),
        ("digital_skills", 6),
        ("soft_skills", 6),
        ("behaviour", 6),
        ("engineering", 6),
        ("volunteering", 6),
    ),
    9: (
        ("exam_preparation", 30),
        ("career_guidance", 22),
        ("academic_results", 16),
        ("projects", 12),
        ("olympiads", 8),
        ("psychological_support", 6),
        ("motivation", 6),
    ),
    10: (
        ("projects", 22),
        ("career_guidance", 20),
        ("adaptation", 14),
        ("olympiads", 14),
        ("academic_results", 10),
        ("soft_skills", 8),
        ("entrepreneurship", 6),
        ("volunteering", 6),
    ),
    11: (
        ("exam_preparation", 36),
        ("career_guidance", 24),
        ("olympiads", 12),
        ("psychological_support", 8),
        ("academic_results", 8),
        ("professional_skills", 6),
        ("entrepreneurship", 6),
    ),
}
# Rarer requests of any grade (a curator or the social pedagogue raised them).
NEEDS_ANY_GRADE = (("life_difficulties", 3), ("psychological_support", 3), ("socialisation", 3))
# Topics a subject goes with («Подготовка к ОГЭ и ЕГЭ; Математика»).
WITH_SUBJECT = frozenset({"academic_results", "exam_preparation", "olympiads"})

YOUNG_TEACHER_NEEDS = (
    ("methodology", 30),
    ("classroom_management", 25),
    ("working_with_parents", 18),
    ("documentation", 12),
    ("adaptation", 10),
    ("assessment", 8),
    ("inclusion", 6),
    ("digital_skills", 5),
    ("psychological_support", 4),
)
TEACHER_NEEDS = (
    ("attestation", 30),
    ("inclusion", 20),
    ("digital_skills", 18),
    ("professional_growth", 15),
    ("gifted_children", 10),
    ("assessment", 7),
    ("adaptation", 10),
)

# Learner mentors (grades 8–11): what they are good at.
PUPIL_MENTOR_OFFERS = (
    ("olympiads", 12),
    ("projects", 10),
    ("soft_skills", 10),
    ("volunteering", 8),
    ("sport", 8),
    ("creativity", 6),
    ("digital_skills", 6),
    ("adaptation", 8),
    ("academic_results", 10),
    ("leisure", 5),
    ("socialisation", 6),
)
# Teachers by subject: (subject topic or "", how the staff list writes the post, share).
TEACHER_POSTS: tuple[tuple[str, str, int], ...] = (
    ("math", "Учитель математики", 12),
    ("russian", "Учитель русского языка и литературы", 12),
    ("foreign_language", "Учитель английского языка", 9),
    ("physics", "Учитель физики", 4),
    ("chemistry", "Учитель химии", 3),
    ("biology", "Учитель биологии", 4),
    ("history", "Учитель истории и обществознания", 6),
    ("informatics", "Учитель информатики", 4),
    ("", "Учитель географии", 3),
    ("sport", "Учитель физической культуры", 5),
    ("creativity", "Учитель музыки", 2),
    ("creativity", "Учитель изобразительного искусства", 2),
    ("engineering", "Учитель технологии", 3),
    ("psychological_support", "Педагог-психолог", 2),
    ("life_difficulties", "Социальный педагог", 2),
    ("leisure", "Педагог дополнительного образования", 3),
)
# What an experienced teacher offers besides the subject.
TEACHER_OFFERS_FOR_PUPILS = (
    ("exam_preparation", 14),
    ("olympiads", 12),
    ("projects", 12),
    ("career_guidance", 8),
    ("academic_results", 10),
    ("motivation", 4),
)
TEACHER_OFFERS_FOR_TEACHERS = (
    ("methodology", 16),
    ("classroom_management", 14),
    ("working_with_parents", 10),
    ("documentation", 8),
    ("assessment", 6),
    ("inclusion", 5),
    ("digital_skills", 6),
    ("attestation", 5),
    ("gifted_children", 5),
    ("professional_growth", 4),
)
POST_OFFERS: dict[str, tuple[str, ...]] = {
    "psychological_support": ("adaptation", "socialisation", "behaviour", "life_difficulties"),
    "life_difficulties": ("behaviour", "working_with_parents", "socialisation"),
    "sport": ("leisure", "behaviour"),
    "creativity": ("leisure",),
    "engineering": ("projects", "digital_skills"),
    "leisure": ("creativity", "socialisation"),
}
ALUMNUS_OFFERS = (
    ("career_guidance", 30),
    ("exam_preparation", 25),
    ("projects", 15),
    ("olympiads", 10),
    ("adaptation", 10),
    ("soft_skills", 10),
)
EMPLOYER_PROFILES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Инженер-технолог", "АО «Ставропольский завод»", ("engineering", "professional_skills")),
    ("Программист", "ООО «Цифровой край»", ("digital_skills", "informatics", "projects")),
    ("Фельдшер", "ГБУЗ «Районная больница»", ("biology", "professional_skills")),
    ("Агроном", "СПК «Колхоз Родина»", ("biology", "professional_skills", "projects")),
    ("Предприниматель", "ИП Кравченко", ("entrepreneurship", "soft_skills")),
    ("Специалист по кадрам", "ПАО «Энергосбыт»", ("soft_skills", "professional_skills")),
)


def pick_weighted(rng: random.Random, table: Sequence[tuple[str, int]], count: int) -> list[str]:
    """``count`` different topics drawn by weight."""
    pool = list(table)
    out: list[str] = []
    while pool and len(out) < count:
        codes = [c for c, _w in pool]
        code = rng.choices(codes, weights=[w for _c, w in pool])[0]
        out.append(code)
        pool = [(c, w) for c, w in pool if c != code]
    return out
