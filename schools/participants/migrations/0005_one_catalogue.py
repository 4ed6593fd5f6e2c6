"""One catalogue of requests and competences instead of two.

Mentees' needs and mentors' competences were two catalogues that shared four codes, so a pupil
asking for help with grades, olympiads or adaptation never found a mentor. Now both sides use
one catalogue (``Topic``), seeded with the requests that Р-145 and school programmes name, with
the wordings schools write (synonyms), and a need is also covered by the entries listed in
``TopicCoverage`` (editable by the coordinator).

The data migration maps every code of the two old catalogues to an entry of the new one; a tag
the institution added itself becomes an entry of its own (one entry for a code that was in both
catalogues), so no profile loses a tag."""

from django.db import migrations, models

# (code, section, audience, name, synonyms)
TOPICS = [
    # studies
    ("academic_results", "study", "learners", "Учебные результаты, успеваемость", [
        "Успеваемость", "Повышение успеваемости", "Неуспеваемость", "Трудности в учёбе",
        "Трудности в обучении", "Помощь в учёбе", "Пробелы в знаниях",
        "Ликвидация пробелов в знаниях", "Подтянуть оценки", "Помощь по предметам",
        "Предметное обучение", "Репетиторство", "Помощь с домашними заданиями",
    ]),
    ("exam_preparation", "study", "learners", "Подготовка к ОГЭ и ЕГЭ", [
        "Подготовка к ОГЭ", "Подготовка к ЕГЭ", "ОГЭ", "ЕГЭ", "ГИА", "Подготовка к ГИА",
        "Подготовка к экзаменам", "Подготовка к ВПР", "ВПР",
        "Подготовка к ОГЭ, ЕГЭ, демонстрационному экзамену", "Демонстрационный экзамен",
    ]),
    ("olympiads", "study", "learners", "Подготовка к олимпиадам и конкурсам", [
        "Олимпиады", "Олимпиада", "Подготовка к олимпиадам", "Подготовка к олимпиаде",
        "Олимпиадное движение", "Участие в олимпиадах", "Конкурсы", "ВсОШ",
        "Участие в конкурсах",
    ]),
    ("projects", "study", "everyone", "Проектная и исследовательская деятельность", [
        "Проект", "Проекты", "Индивидуальный проект", "Проектная деятельность",
        "Исследовательская деятельность", "Исследовательская работа", "Исследования",
        "Научно-практическая конференция", "НПК", "Проектная работа",
    ]),
    # school subjects
    ("math", "subjects", "learners", "Математика", [
        "Алгебра", "Геометрия", "Помощь по математике", "Трудности с математикой",
        "Математика ОГЭ", "Математика ЕГЭ",
    ]),
    ("russian", "subjects", "learners", "Русский язык и литература", [
        "Русский язык", "Литература", "Грамотность", "Орфография",
        "Помощь по русскому языку", "Итоговое сочинение", "Чтение",
    ]),
    ("foreign_language", "subjects", "learners", "Иностранный язык", [
        "Английский язык", "Английский", "Немецкий язык", "Французский язык",
        "Разговорный английский", "Иностранные языки",
    ]),
    ("physics", "subjects", "learners", "Физика", ["Помощь по физике"]),
    ("chemistry", "subjects", "learners", "Химия", ["Помощь по химии"]),
    ("biology", "subjects", "learners", "Биология", ["Экология", "Помощь по биологии"]),
    ("history", "subjects", "learners", "История и обществознание", [
        "История", "Обществознание", "Право",
    ]),
    ("informatics", "subjects", "learners", "Информатика и программирование", [
        "Информатика", "Программирование", "Python", "Основы программирования",
    ]),
    # self-determination and skills
    ("career_guidance", "development", "learners", "Профориентация, выбор профессии", [
        "Профориентация", "Выбор профессии", "Выбор профиля", "Выбор профиля обучения",
        "Профессиональное самоопределение", "Куда поступать", "Поступление в вуз",
        "Поступление в колледж", "Билет в будущее",
    ]),
    ("motivation", "development", "learners", "Мотивация к учёбе, самоопределение", [
        "Мотивация", "Низкая мотивация", "Низкая учебная мотивация", "Нет мотивации",
        "Повышение мотивации", "Мотивация к учёбе", "Самоопределение",
        "Отсутствие интереса к учёбе",
    ]),
    ("soft_skills", "development", "everyone", "Коммуникация, работа в команде, лидерство", [
        "Гибкие навыки", "Коммуникация", "Работа в команде", "Лидерство",
        "Лидерские качества", "Публичные выступления", "Ораторское мастерство",
        "Гибкие навыки: коммуникация, работа в команде, лидерство",
        "Коммуникация и работа в команде", "Самоуправление",
    ]),
    ("digital_skills", "development", "everyone", "Цифровые навыки", [
        "Цифровая грамотность", "Компьютерная грамотность", "Работа с компьютером",
        "IT и цифровые технологии", "IT", "ИТ", "Цифровая образовательная среда", "ЦОС",
        "Медиаграмотность", "Цифровые инструменты",
    ]),
    ("entrepreneurship", "development", "learners", "Предпринимательство, финансовая грамотность", [
        "Предпринимательство", "Финансовая грамотность", "Бизнес", "Свой бизнес",
    ]),
    ("professional_skills", "development", "learners", "Профессиональные навыки, практика", [
        "Профессиональные навыки", "Практика", "Профессиональные пробы",
        "Профессиональные навыки по специальности", "Производственная практика",
    ]),
    ("engineering", "development", "learners", "Инженерия, робототехника, техническое творчество", [
        "Робототехника", "Инженерия", "Техническое творчество", "3D-моделирование",
        "Инженерия и техническое творчество", "Конструирование",
    ]),
    # adaptation and support
    ("adaptation", "support", "everyone", "Адаптация в коллективе, в новой школе", [
        "Адаптация", "Адаптация в классе", "Адаптация в новом коллективе", "Новый ученик",
        "Переход в 5 класс", "Адаптация пятиклассников", "Вхождение в коллектив",
        "Адаптация в коллективе, новой школе или колледже", "Адаптация в профессии",
        "Адаптация молодого специалиста", "Адаптация в коллективе",
    ]),
    ("socialisation", "support", "learners", "Социализация, общение со сверстниками", [
        "Социализация", "Общение со сверстниками", "Трудности в общении", "Застенчивость",
        "Неуверенность в себе", "Конфликты с одноклассниками", "Замкнутость",
    ]),
    ("behaviour", "support", "learners", "Поведение и дисциплина", [
        "Поведение", "Дисциплина", "Нарушение дисциплины", "Пропуски уроков", "Прогулы",
    ]),
    ("life_difficulties", "support", "learners", "Трудная жизненная ситуация, поддержка", [
        "Трудная жизненная ситуация", "ТЖС", "Поддержка", "Группа риска",
        "Семейные трудности", "Внутришкольный учёт",
    ]),
    ("psychological_support", "support", "everyone", "Психолого-педагогическая поддержка", [
        "Психологическая поддержка", "Эмоциональная поддержка", "Тревожность", "Стресс",
        "Профилактика выгорания", "Выгорание",
    ]),
    # leisure and creativity
    ("leisure", "leisure", "learners", "Досуг, кружки и секции", [
        "Досуг", "Организация досуга", "Свободное время", "Кружки", "Секции",
        "Дополнительное образование", "Творчество, спорт, дополнительное образование",
    ]),
    ("creativity", "leisure", "learners", "Творчество: музыка, рисование, театр", [
        "Творчество", "Музыка", "Рисование", "Театр", "Вокал", "Танцы", "Гитара",
    ]),
    ("sport", "leisure", "learners", "Спорт, ГТО, здоровый образ жизни", [
        "Спорт", "ГТО", "ЗОЖ", "Здоровый образ жизни", "Футбол", "Шахматы",
    ]),
    ("volunteering", "leisure", "everyone", "Волонтёрство, «Движение первых», гражданская активность", [
        "Волонтёрство", "Добровольчество", "Движение первых", "РДДМ", "Юнармия",
        "Гражданская активность", "Волонтёрство и гражданская активность",
    ]),
    # teaching practice (teachers' mentoring, АЗ-1128/08)
    ("methodology", "teaching", "teachers", "Методика преподавания, подготовка уроков", [
        "Методика", "Методика преподавания", "Подготовка уроков", "Планирование уроков",
        "Конструирование урока", "Современный урок", "Технологическая карта урока",
        "Обновлённые ФГОС", "ФГОС", "Рабочая программа",
    ]),
    ("classroom_management", "teaching", "teachers", "Классное руководство, дисциплина на уроке", [
        "Классное руководство", "Работа с классом", "Дисциплина на уроке",
        "Управление классом", "Воспитательная работа",
        "Работа с классом, дисциплина, классное руководство",
    ]),
    ("working_with_parents", "teaching", "teachers", "Работа с родителями", [
        "Взаимодействие с родителями", "Родительские собрания", "Общение с родителями",
        "Работа с семьёй", "Конфликты с родителями",
    ]),
    ("documentation", "teaching", "teachers", "Ведение документации", [
        "Документация", "Электронный журнал", "Ведение журнала", "Школьная документация",
        "Отчёты", "Отчётность",
    ]),
    ("inclusion", "teaching", "teachers", "Инклюзивное образование, дети с ОВЗ", [
        "Инклюзия", "ОВЗ", "Дети с ОВЗ", "Работа с детьми с ОВЗ", "Адаптированные программы",
        "АООП", "Инклюзивное образование",
    ]),
    ("assessment", "teaching", "teachers", "Оценивание результатов обучения", [
        "Оценивание", "Критерии оценивания", "Формирующее оценивание",
        "Функциональная грамотность",
    ]),
    ("attestation", "teaching", "teachers", "Подготовка к аттестации", [
        "Аттестация", "Прохождение аттестации", "Квалификационная категория",
        "Портфолио педагога",
    ]),
    ("gifted_children", "teaching", "teachers", "Работа с одарёнными детьми", [
        "Одарённые дети", "Работа с одарёнными", "Подготовка олимпиадников",
    ]),
    ("professional_growth", "teaching", "teachers", "Профессиональное развитие, конкурсы педагогов", [
        "Профессиональное развитие", "Конкурсы профессионального мастерства", "Учитель года",
        "Самообразование", "Обобщение опыта", "Публикации",
    ]),
]

# need ← the entries that also cover it
COVERAGE = {
    "academic_results": [
        "math", "russian", "foreign_language", "physics", "chemistry", "biology", "history",
        "informatics", "exam_preparation",
    ],
    "olympiads": ["gifted_children"],
    "projects": ["engineering"],
    "digital_skills": ["informatics", "engineering"],
    "informatics": ["digital_skills"],
    "career_guidance": ["professional_skills", "entrepreneurship"],
    "motivation": ["psychological_support", "career_guidance"],
    "adaptation": ["psychological_support", "socialisation", "soft_skills"],
    "socialisation": ["soft_skills", "volunteering", "psychological_support"],
    "behaviour": ["psychological_support", "classroom_management"],
    "life_difficulties": ["psychological_support"],
    "leisure": ["creativity", "sport", "volunteering"],
    "inclusion": ["psychological_support"],
    "attestation": ["methodology", "professional_growth"],
    "assessment": ["methodology"],
    "working_with_parents": ["classroom_management"],
    "gifted_children": ["olympiads"],
}

# The old catalogues' codes → the new entry.
OLD_NEEDS = {
    "academic_results": "academic_results",
    "career_guidance": "career_guidance",
    "adaptation": "adaptation",
    "projects": "projects",
    "olympiads": "olympiads",
    "soft_skills": "soft_skills",
    "exam_preparation": "exam_preparation",
    "motivation": "motivation",
    "professional_skills": "professional_skills",
    "methodology": "methodology",
    "classroom_management": "classroom_management",
    "documentation": "documentation",
    "digital_skills": "digital_skills",
    "creativity_sport": "leisure",
    "life_difficulties": "life_difficulties",
    "entrepreneurship": "entrepreneurship",
}
OLD_COMPETENCES = {
    "subject_teaching": "academic_results",
    "career_guidance": "career_guidance",
    "project_management": "projects",
    "research": "projects",
    "olympiad_coaching": "olympiads",
    "psychological_support": "psychological_support",
    "communication": "soft_skills",
    "leadership": "soft_skills",
    "it_digital": "digital_skills",
    "engineering": "engineering",
    "vocational_skills": "professional_skills",
    "methodology": "methodology",
    "classroom_management": "classroom_management",
    "entrepreneurship": "entrepreneurship",
    "creativity": "creativity",
    "sport": "sport",
    "volunteering": "volunteering",
}


def forwards(apps, schema_editor):
    Topic = apps.get_model("participants", "Topic")
    TopicCoverage = apps.get_model("participants", "TopicCoverage")
    NeedTag = apps.get_model("participants", "NeedTag")
    CompetenceTag = apps.get_model("participants", "CompetenceTag")
    MenteeProfile = apps.get_model("participants", "MenteeProfile")
    MentorProfile = apps.get_model("participants", "MentorProfile")

    topics = {}
    for code, group, audience, name, synonyms in TOPICS:
        topics[code] = Topic.objects.create(
            code=code, group=group, audience=audience, name=name, synonyms=synonyms
        )
    TopicCoverage.objects.bulk_create(
        TopicCoverage(need=topics[need], covered_by=topics[other])
        for need, others in COVERAGE.items()
        for other in others
    )

    def target(tag, mapping):
        """The entry an old tag becomes: the mapped one, else one of its own (a tag the
        institution added, or a test's); a code both old catalogues had becomes one entry."""
        code = mapping.get(tag.code, tag.code)
        if code not in topics:
            topics[code] = Topic.objects.create(
                code=code, name=tag.name, is_active=tag.is_active, group="other"
            )
        return topics[code]

    for model, mapping in ((NeedTag, OLD_NEEDS), (CompetenceTag, OLD_COMPETENCES)):
        for tag in model.objects.order_by("pk"):
            target(tag, mapping)

    for profile_model, tag_field, mapping in (
        (MenteeProfile, "needs", OLD_NEEDS),
        (MentorProfile, "competences", OLD_COMPETENCES),
    ):
        old = profile_model._meta.get_field(tag_field).remote_field.through
        new = profile_model._meta.get_field("topics").remote_field.through
        source = profile_model._meta.get_field(tag_field).m2m_column_name()
        tag_column = profile_model._meta.get_field(tag_field).m2m_reverse_name()
        tag_model = NeedTag if tag_field == "needs" else CompetenceTag
        tags = {t.pk: t for t in tag_model.objects.all()}
        links = set()
        for profile_id, tag_id in old.objects.values_list(source, tag_column):
            links.add((profile_id, target(tags[tag_id], mapping).pk))
        new_source = profile_model._meta.get_field("topics").m2m_column_name()
        new_target = profile_model._meta.get_field("topics").m2m_reverse_name()
        new.objects.bulk_create(
            new(**{new_source: p, new_target: t}) for p, t in sorted(links)
        )


class Migration(migrations.Migration):
    dependencies = [("participants", "0004_participant_position_participant_workplace")]

    operations = [
        migrations.CreateModel(
            name="Topic",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("group", models.CharField(choices=[("study", "Studies"), ("subjects", "School subjects"), ("development", "Self-determination and skills"), ("support", "Adaptation and support"), ("leisure", "Leisure and creativity"), ("teaching", "Teaching practice"), ("other", "Other")], default="other", max_length=16, verbose_name="section")),
                ("audience", models.CharField(choices=[("learners", "Learners"), ("teachers", "Teachers"), ("everyone", "Everyone")], default="everyone", max_length=16, verbose_name="for whom")),
                ("synonyms", models.JSONField(blank=True, default=list, verbose_name="other wordings")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "catalogue entry",
                "verbose_name_plural": "catalogue of requests and competences",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="TopicCoverage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("covered_by", models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="covers", to="participants.topic", verbose_name="covered by the competence")),
                ("need", models.ForeignKey(on_delete=models.deletion.CASCADE, related_name="coverage", to="participants.topic", verbose_name="request")),
            ],
            options={
                "verbose_name": "coverage of a request",
                "verbose_name_plural": "coverage of requests",
                "ordering": ["need_id", "covered_by_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("need", "covered_by"), name="topic_coverage_once"),
                    models.CheckConstraint(condition=models.Q(("need", models.F("covered_by")), _negated=True), name="topic_coverage_not_self"),
                ],
            },
        ),
        migrations.AddField(
            model_name="menteeprofile",
            name="topics",
            field=models.ManyToManyField(blank=True, related_name="mentee_profiles", to="participants.topic", verbose_name="needs"),
        ),
        migrations.AddField(
            model_name="mentorprofile",
            name="topics",
            field=models.ManyToManyField(blank=True, related_name="mentor_profiles", to="participants.topic", verbose_name="competences"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="menteeprofile", name="needs"),
        migrations.RemoveField(model_name="mentorprofile", name="competences"),
        migrations.RenameField(model_name="menteeprofile", old_name="topics", new_name="needs"),
        migrations.RenameField(model_name="mentorprofile", old_name="topics", new_name="competences"),
        migrations.DeleteModel(name="NeedTag"),
        migrations.DeleteModel(name="CompetenceTag"),
    ]
