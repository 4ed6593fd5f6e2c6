"""The starter set: questionnaires for every step of the target model of mentoring.

Written after the methodology (order Р-145 and the programmes in ``shared/seeds``): stage 2 —
questionnaire of those who want a mentor; stage 3 — mentor profile after the selection criteria
(wish to take part, experience, communication, time resource, positive experience, fit to the
requests, civic position, motivation); stage 4 — preferences after the group meeting; stage 5 —
feedback for the intermediate assessment; stage 6 — personal satisfaction of mentors and of
mentees, the quality of the programme's implementation (organisational, methodological and
staffing parameters) and the growth of participants, measured before and after on the same
1–10 items (motivation, involvement, confidence, results...).

Each template is created once, by its code, as published version 1 (``starter_seed``, run by
migration 0003 and by ``nastavnik questionnaires seed``). Existing templates are left alone:
the regional centre edits them by making new versions. Changing this data changes only what a
fresh database gets; do not rename codes (institutions' answers refer to them)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from regional.questionnaires import validation

Q = dict[str, Any]

AGREE = ("совсем нет", "полностью")
LEVEL = ("очень низко", "очень высоко")
SCORE = ("самая низкая оценка", "самая высокая оценка")


def _q(kind: str, code: str, text: str, **extra: Any) -> Q:
    return {
        "code": code,
        "text": text,
        "kind": kind,
        "help_text": extra.pop("help_text", ""),
        "required": extra.pop("required", True),
        "min_value": extra.pop("min_value", None),
        "max_value": extra.pop("max_value", None),
        "min_label": extra.pop("min_label", ""),
        "max_label": extra.pop("max_label", ""),
        "options": [{"code": c, "text": t} for c, t in extra.pop("options", ())],
        "condition_question": extra.pop("if_code", ""),
        "condition_value": extra.pop("if_value", ""),
        **extra,
    }


def scale(code: str, text: str, ends: tuple[str, str] = AGREE, **extra: Any) -> Q:
    return _q(
        "scale",
        code,
        text,
        min_value=1,
        max_value=10,
        min_label=ends[0],
        max_label=ends[1],
        **extra,
    )


def yes_no(code: str, text: str, **extra: Any) -> Q:
    return _q("yes_no", code, text, **extra)


def single(code: str, text: str, options: list[tuple[str, str]], **extra: Any) -> Q:
    return _q("single_choice", code, text, options=options, **extra)


def multiple(code: str, text: str, options: list[tuple[str, str]], **extra: Any) -> Q:
    return _q("multiple_choice", code, text, options=options, **extra)


def number(
    code: str, text: str, low: int | None = None, high: int | None = None, **extra: Any
) -> Q:
    return _q("number", code, text, min_value=low, max_value=high, **extra)


def short_text(code: str, text: str, **extra: Any) -> Q:
    return _q("short_text", code, text, **extra)


def long_text(code: str, text: str, **extra: Any) -> Q:
    return _q("long_text", code, text, **extra)


# Areas of help: the same codes in the mentee's request and the mentor's competences, so that
# matching can compare them.
HELP_AREAS = [
    ("study", "Учёба, успеваемость"),
    ("career", "Выбор профессии, профориентация"),
    ("projects", "Проекты, олимпиады, конкурсы"),
    ("adaptation", "Адаптация в новом коллективе"),
    ("professional_skills", "Профессиональные навыки, практика"),
    ("teaching", "Методика преподавания, подготовка к занятиям"),
    ("communication", "Общение, уверенность в себе"),
    ("leisure", "Творчество, спорт, досуг"),
]
MEETING_FORMAT = [
    ("in_person", "Очно"),
    ("online", "Дистанционно"),
    ("mixed", "Смешанный формат"),
]
RESPONDENT_ROLE = [("mentor", "Наставник"), ("mentee", "Наставляемый")]
MEETING_FREQUENCY = [
    ("weekly", "Раз в неделю и чаще"),
    ("twice_monthly", "Два-три раза в месяц"),
    ("monthly", "Раз в месяц"),
    ("rarely", "Реже раза в месяц"),
]

# The growth items: the same codes and texts before and after the programme.
GROWTH_ITEMS = [
    scale("g_motivation", "Мотивация к учёбе (работе) и саморазвитию", LEVEL),
    scale(
        "g_involvement",
        "Вовлечённость в учебную (профессиональную) и общественную жизнь школы, колледжа",
        LEVEL,
    ),
    scale("g_confidence", "Уверенность в себе, в своих силах", LEVEL),
    scale("g_results", "Учебные (профессиональные) результаты", LEVEL),
    scale("g_communication", "Умение общаться, работать в команде", LEVEL),
    scale("g_goals", "Понимание своих целей, образовательной и профессиональной траектории", LEVEL),
    scale(
        "g_skills",
        "Владение навыками и компетенциями, ради которых вы участвуете в программе",
        LEVEL,
    ),
]

STARTER_SET: list[dict[str, Any]] = [
    {
        "code": "mentee-intake",
        "title": "Анкета наставляемого",
        "purpose": "mentee_intake",
        "target_roles": ["mentee"],
        "description": (
            "Этап 2 «Формирование базы наставляемых»: анкетирование обучающихся и педагогов, "
            "желающих принять участие в программе наставничества; выявление их запросов."
        ),
        "intro": (
            "Ответьте, пожалуйста, на вопросы анкеты. Ваши ответы помогут подобрать наставника, "
            "который сможет помочь именно вам."
        ),
        "questions": [
            single(
                "category",
                "Кто вы?",
                [
                    ("pupil", "Ученик (ученица) школы"),
                    ("student", "Студент колледжа"),
                    ("teacher", "Педагог"),
                    ("master", "Мастер производственного обучения"),
                ],
            ),
            short_text(
                "class_or_group",
                "Класс, курс или учебная группа",
                required=False,
                help_text="Для обучающихся.",
            ),
            yes_no(
                "young_specialist",
                "Вы молодой специалист (первые три года работы)?",
                if_code="category",
                if_value="teacher",
            ),
            yes_no("wants_mentor", "Хотели бы вы, чтобы у вас был наставник?"),
            multiple(
                "request_areas",
                "В чём вам нужна помощь наставника?",
                HELP_AREAS,
                if_code="wants_mentor",
                if_value="yes",
            ),
            long_text(
                "request_details",
                "Опишите, с чем именно вы хотели бы разобраться вместе с наставником",
                required=False,
                if_code="wants_mentor",
                if_value="yes",
            ),
            long_text(
                "expected_results",
                "Каких результатов вы ждёте от участия в программе наставничества?",
                required=False,
                if_code="wants_mentor",
                if_value="yes",
            ),
            multiple(
                "preferred_mentor",
                "Кого вы хотели бы видеть своим наставником?",
                [
                    ("learner", "Обучающегося (старшеклассника, студента)"),
                    ("teacher", "Педагога или мастера"),
                    ("employer_specialist", "Специалиста предприятия"),
                    ("alumnus", "Выпускника"),
                    ("no_preference", "Не важно"),
                ],
                required=False,
                if_code="wants_mentor",
                if_value="yes",
            ),
            single(
                "meeting_format",
                "Какой формат встреч вам удобнее?",
                MEETING_FORMAT,
                required=False,
                if_code="wants_mentor",
                if_value="yes",
            ),
            number(
                "hours_per_month",
                "Сколько часов в месяц вы готовы уделять встречам с наставником?",
                1,
                40,
                required=False,
                if_code="wants_mentor",
                if_value="yes",
            ),
        ],
    },
    {
        "code": "mentor-profile",
        "title": "Анкета наставника",
        "purpose": "mentor_profile",
        "target_roles": ["mentor"],
        "description": (
            "Этап 3 «Формирование базы наставников»: анкета потенциального наставника по "
            "критериям отбора — желание участвовать, профессиональный опыт, навыки общения, "
            "ресурс времени, положительный опыт, соответствие запросам наставляемых, "
            "активная гражданская позиция, мотивация."
        ),
        "intro": (
            "Спасибо за готовность стать наставником! Ответы помогут сопоставить вашу анкету "
            "с анкетами наставляемых и подобрать пару или группу."
        ),
        "questions": [
            single(
                "category",
                "Кто вы?",
                [
                    ("pupil", "Ученик (ученица) старших классов"),
                    ("student", "Студент колледжа"),
                    ("teacher", "Педагог"),
                    ("master", "Мастер производственного обучения"),
                    ("employer_specialist", "Специалист предприятия (работодателя)"),
                    ("alumnus", "Выпускник"),
                    ("parent", "Родитель (законный представитель)"),
                ],
            ),
            scale(
                "wish", "Насколько вы хотите стать наставником?", ("совсем не хочу", "очень хочу")
            ),
            number(
                "experience_years",
                "Ваш опыт в профессии или в своей области деятельности, лет",
                0,
                60,
                required=False,
            ),
            multiple("competences", "В чём вы можете помочь наставляемому?", HELP_AREAS),
            scale(
                "communication",
                "Оцените свои навыки общения и умение выстраивать доверительные отношения",
                LEVEL,
            ),
            long_text(
                "positive_experience",
                "Расскажите о своём успешном жизненном или профессиональном опыте, "
                "которым вы готовы поделиться",
                required=False,
            ),
            long_text("motivation", "Почему вы хотите стать наставником?"),
            yes_no(
                "civic_activity",
                "Участвуете ли вы в общественной, волонтёрской или проектной деятельности?",
            ),
            short_text(
                "civic_activity_details",
                "Где и в какой роли?",
                required=False,
                if_code="civic_activity",
                if_value="yes",
            ),
            number(
                "hours_per_month",
                "Сколько часов в месяц вы готовы уделять наставничеству?",
                1,
                40,
            ),
            number(
                "mentees_max",
                "Со сколькими наставляемыми одновременно вы готовы работать?",
                1,
                10,
            ),
            single("meeting_format", "Какой формат встреч вам удобнее?", MEETING_FORMAT),
            yes_no("mentored_before", "Был ли у вас опыт наставничества раньше?"),
            yes_no("training_wanted", "Хотели бы вы пройти обучение для наставников?"),
        ],
    },
    {
        "code": "group-meeting-preference",
        "title": "Анкета по итогам групповой встречи",
        "purpose": "group_meeting_preference",
        "target_roles": ["mentor", "mentee"],
        "description": (
            "Этап 4 «Формирование наставнических пар/групп»: анкетирование на предмет "
            "предпочитаемого наставника (наставляемого) после групповой встречи."
        ),
        "intro": (
            "Вы познакомились на групповой встрече. Укажите, с кем вам хотелось бы работать: "
            "куратор учтёт ваш выбор при формировании пар и групп."
        ),
        "questions": [
            single("respondent_role", "Вы участвовали во встрече как", RESPONDENT_ROLE),
            scale("meeting_useful", "Насколько полезной для вас была групповая встреча?"),
            short_text(
                "preferred_first",
                "С кем вы хотели бы работать в первую очередь? Укажите фамилию и имя",
            ),
            short_text("preferred_second", "Второй вариант", required=False),
            short_text("preferred_third", "Третий вариант", required=False),
            long_text("reasons", "Почему вы сделали такой выбор?", required=False),
            yes_no(
                "group_ok",
                "Согласны ли вы работать в группе (один наставник и несколько наставляемых)?",
            ),
            yes_no("ready_to_start", "Готовы ли вы начать работу в ближайшее время?"),
        ],
    },
    {
        "code": "intermediate-feedback",
        "title": "Анкета обратной связи для промежуточной оценки",
        "purpose": "intermediate_feedback",
        "target_roles": ["mentor", "mentee"],
        "description": (
            "Этап 5 «Организация работы наставнических пар/групп»: текущий контроль "
            "достижения планируемых результатов."
        ),
        "intro": "Оцените, как идёт работа вашей наставнической пары (группы).",
        "questions": [
            single("respondent_role", "Вы заполняете анкету как", RESPONDENT_ROLE),
            number(
                "meetings_count",
                "Сколько встреч наставника и наставляемого прошло с начала программы?",
                0,
                200,
            ),
            scale(
                "meetings_regular",
                "Насколько регулярно проходят встречи?",
                ("очень редко", "как запланировано"),
            ),
            scale("pair_comfort", "Насколько вам комфортно работать в паре (группе)?"),
            scale(
                "goals_progress",
                "Насколько удалось продвинуться к целям индивидуального плана развития?",
                ("никакого продвижения", "цели достигнуты"),
            ),
            yes_no("plan_followed", "Выполняется ли план встреч и индивидуальный план развития?"),
            long_text(
                "plan_obstacles",
                "Что мешает выполнению плана?",
                if_code="plan_followed",
                if_value="no",
            ),
            yes_no("needs_support", "Нужна ли вам помощь куратора?"),
            long_text(
                "support_details",
                "Какая помощь вам нужна?",
                if_code="needs_support",
                if_value="yes",
            ),
            long_text("suggestions", "Ваши предложения и комментарии", required=False),
        ],
    },
    {
        "code": "satisfaction-mentor",
        "title": "Анкета удовлетворённости наставника",
        "purpose": "satisfaction",
        "target_roles": ["mentor"],
        "description": (
            "Этап 6 «Завершение программы»: мониторинг личной удовлетворённости наставника "
            "участием в программе наставничества."
        ),
        "intro": (
            "Оцените, пожалуйста, по шкале от 1 до 10, где 1 — самая низкая оценка, "
            "а 10 — самая высокая."
        ),
        "questions": [
            scale("s_communication", "Насколько комфортным было общение с наставляемым?"),
            scale("s_organisation", "Насколько вас устроила организация программы наставничества?"),
            scale("s_group_meetings", "Насколько полезными были групповые встречи?"),
            scale("s_personal_meetings", "Насколько полезными были личные встречи с наставляемым?"),
            scale(
                "s_support",
                "Насколько вы довольны поддержкой куратора и координатора программы?",
            ),
            scale("s_own_work", "Насколько вы довольны своей работой с наставляемым?"),
            scale(
                "s_mentee_progress",
                "Насколько, по вашей оценке, наставляемый продвинулся к своим целям?",
            ),
            scale(
                "s_expectations",
                "Насколько оправдались ваши ожидания от участия в программе?",
            ),
            scale(
                "s_own_growth",
                "Насколько участие в программе было полезно для вашего собственного развития?",
            ),
            single("meeting_frequency", "Как часто проходили ваши встречи?", MEETING_FREQUENCY),
            yes_no("continue_role", "Хотели бы вы продолжить участие в программе наставником?"),
            long_text("most_valuable", "Что было самым ценным в вашей работе?", required=False),
            long_text(
                "improvements",
                "Что, по вашему мнению, стоит изменить в организации программы?",
                required=False,
            ),
        ],
    },
    {
        "code": "satisfaction-mentee",
        "title": "Анкета удовлетворённости наставляемого",
        "purpose": "satisfaction",
        "target_roles": ["mentee"],
        "description": (
            "Этап 6 «Завершение программы»: мониторинг личной удовлетворённости наставляемого "
            "участием в программе наставничества."
        ),
        "intro": (
            "Оцените, пожалуйста, по шкале от 1 до 10, где 1 — самая низкая оценка, "
            "а 10 — самая высокая."
        ),
        "questions": [
            scale("s_communication", "Насколько комфортным было общение с наставником?"),
            scale("s_organisation", "Насколько вас устроила организация программы наставничества?"),
            scale("s_group_meetings", "Насколько полезными были групповые встречи?"),
            scale("s_personal_meetings", "Насколько полезными были личные встречи с наставником?"),
            scale("s_mentor_help", "Насколько наставник помог вам в решении ваших задач?"),
            scale(
                "s_mentor_understanding", "Насколько наставник понимал ваши запросы и трудности?"
            ),
            scale(
                "s_new_skills",
                "Насколько вы узнали новое и приобрели новые навыки благодаря программе?",
            ),
            scale(
                "s_expectations",
                "Насколько оправдались ваши ожидания от участия в программе?",
            ),
            scale(
                "s_recommend",
                "Насколько вероятно, что вы посоветуете участие в программе друзьям или коллегам?",
                ("точно нет", "обязательно посоветую"),
            ),
            single("meeting_frequency", "Как часто проходили ваши встречи?", MEETING_FREQUENCY),
            yes_no("continue_role", "Хотели бы вы продолжить работу с наставником?"),
            yes_no("become_mentor", "Хотели бы вы в будущем сами стать наставником?"),
            long_text(
                "most_valuable", "Что было самым ценным для вас в программе?", required=False
            ),
            long_text(
                "improvements",
                "Что, по вашему мнению, стоит изменить в организации программы?",
                required=False,
            ),
        ],
    },
    {
        "code": "programme-quality",
        "title": "Чек-лист куратора: качество реализации программы наставничества",
        "purpose": "programme_quality",
        "target_roles": ["curator", "coordinator"],
        "description": (
            "Этап 6 «Завершение программы»: мониторинг качества реализации программы — "
            "организационные, научно-методические и кадровые параметры."
        ),
        "intro": "Отметьте, что выполнено в вашей образовательной организации за этот цикл.",
        "questions": [
            yes_no(
                "order_issued",
                "Издан приказ о внедрении целевой модели наставничества, назначены координатор "
                "и кураторы",
            ),
            yes_no("programme_approved", "Утверждены программа наставничества и дорожная карта"),
            scale(
                "roadmap_on_time",
                "Насколько мероприятия дорожной карты выполнены в срок?",
                ("не выполнены", "выполнены полностью"),
            ),
            yes_no(
                "participants_informed",
                "Обучающиеся, педагоги, родители и партнёры проинформированы о программе",
            ),
            yes_no(
                "consents_collected",
                "Собраны согласия на обработку персональных данных (для несовершеннолетних — "
                "от родителей или законных представителей)",
            ),
            yes_no("bases_formed", "Сформированы базы наставников и наставляемых"),
            yes_no("group_meeting_held", "Проведена групповая встреча наставников и наставляемых"),
            yes_no("pairs_order_issued", "Издан приказ об утверждении наставнических пар (групп)"),
            yes_no(
                "development_plans",
                "Для наставляемых составлены индивидуальные планы развития",
            ),
            single(
                "unpaired_support",
                "Наставляемые, не вошедшие в пары (группы), получают поддержку, "
                "поиск наставника для них продолжается",
                [("yes", "Да"), ("no", "Нет"), ("not_needed", "Не потребовалось")],
            ),
            yes_no(
                "feedback_collected",
                "Проведено промежуточное анкетирование (обратная связь) наставников и наставляемых",
            ),
            scale(
                "methodical_support",
                "Насколько наставники обеспечены методическими материалами и рекомендациями?",
            ),
            number(
                "mentors_trained",
                "Сколько наставников прошли обучение (курсы повышения квалификации)?",
                0,
            ),
            scale(
                "mentors_sufficient",
                "Насколько хватает наставников для запросов наставляемых?",
                ("совсем не хватает", "хватает полностью"),
            ),
            yes_no(
                "final_event_held",
                "Проведено итоговое мероприятие, представлены результаты работы пар (групп)",
            ),
            yes_no(
                "mentors_encouraged",
                "Лучшие наставники поощрены (приказ о поощрении, благодарственные письма "
                "партнёрам)",
            ),
            yes_no(
                "cases_published",
                "Успешные практики и кейсы опубликованы на сайте образовательной организации",
            ),
            scale("overall_quality", "Общая оценка качества реализации программы", SCORE),
            long_text("problems", "Выявленные проблемы и предложения", required=False),
        ],
    },
    {
        "code": "growth-before",
        "title": "Оценка личностного роста участника: до начала программы",
        "purpose": "growth",
        "growth_phase": "before",
        "target_roles": ["mentee", "mentor"],
        "description": (
            "Мониторинг влияния программы на участников: первое измерение. Те же пункты "
            "(с теми же кодами) повторяются в анкете «после программы»; рост — разница оценок."
        ),
        "intro": (
            "Оцените себя сейчас, перед началом работы с наставником (наставляемым), по шкале "
            "от 1 до 10. По окончании программы вы ответите на те же вопросы."
        ),
        "questions": [
            single("respondent_role", "Вы участвуете в программе как", RESPONDENT_ROLE),
            *GROWTH_ITEMS,
            long_text(
                "expectations",
                "Чего вы ждёте от участия в программе наставничества?",
                required=False,
            ),
        ],
    },
    {
        "code": "growth-after",
        "title": "Оценка личностного роста участника: после программы",
        "purpose": "growth",
        "growth_phase": "after",
        "target_roles": ["mentee", "mentor"],
        "description": (
            "Мониторинг влияния программы на участников: второе измерение, те же пункты "
            "(и коды), что в анкете «до начала программы»."
        ),
        "intro": (
            "Оцените себя сейчас, по завершении программы, по шкале от 1 до 10 — так же, как "
            "в начале. Сравнение покажет, что изменилось."
        ),
        "questions": [
            single("respondent_role", "Вы участвуете в программе как", RESPONDENT_ROLE),
            *GROWTH_ITEMS,
            long_text(
                "results",
                "Что изменилось для вас благодаря программе наставничества?",
                required=False,
            ),
        ],
    },
]


def starter_seed(*, template_model: Any, version_model: Any, question_model: Any) -> list[str]:
    """Create the templates of ``STARTER_SET`` that are missing, each as published version 1.

    Takes the model classes so that a data migration can pass its historical models; the
    command ``nastavnik questionnaires seed`` passes the real ones. Returns the created codes."""
    created = []
    for spec in STARTER_SET:
        if template_model.objects.filter(code=spec["code"]).exists():
            continue
        template = template_model.objects.create(
            code=spec["code"],
            title=spec["title"],
            description=spec["description"],
            purpose=spec["purpose"],
            growth_phase=spec.get("growth_phase", ""),
            target_roles=spec["target_roles"],
            target_forms=spec.get("target_forms", []),
        )
        version = version_model.objects.create(
            template=template, number=1, status="draft", intro=spec["intro"]
        )
        questions = [
            question_model(version=version, order=order, **fields)
            for order, fields in enumerate(spec["questions"], start=1)
        ]
        problems = validation.version_problems(questions)
        if problems:
            raise ValueError(f"Starter template {spec['code']!r} is invalid: {problems}")
        question_model.objects.bulk_create(questions)
        version.status = "published"
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        created.append(spec["code"])
    return created
