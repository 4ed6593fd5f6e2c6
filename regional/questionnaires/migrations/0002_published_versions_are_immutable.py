"""The database refuses to change a published (or retired) version and its questions.

The services already refuse it; these triggers keep the rule for every other writer too
(admin, shell, a future bug). Allowed on a non-draft version: published -> retired (setting
``retired_at``), and changing ``created_by`` (a deleted user is set to NULL). Errors are
raised with SQLSTATE 23514 (check_violation), which Django reports as IntegrityError."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION questionnaire_templates_version_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'questionnaire template version % is % and cannot be deleted',
                OLD.id, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF NEW.template_id IS DISTINCT FROM OLD.template_id
       OR NEW.number IS DISTINCT FROM OLD.number
       OR NEW.intro IS DISTINCT FROM OLD.intro
       OR NEW.change_note IS DISTINCT FROM OLD.change_note
       OR NEW.published_at IS DISTINCT FROM OLD.published_at
       OR NEW.created_at IS DISTINCT FROM OLD.created_at
       OR NOT (
           (NEW.status = OLD.status AND NEW.retired_at IS NOT DISTINCT FROM OLD.retired_at)
           OR (OLD.status = 'published' AND NEW.status = 'retired')
       ) THEN
        RAISE EXCEPTION 'questionnaire template version % is % and cannot change',
            OLD.id, OLD.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER questionnaire_templates_version_guard
    BEFORE UPDATE OR DELETE ON questionnaire_templates_templateversion
    FOR EACH ROW EXECUTE FUNCTION questionnaire_templates_version_guard();

CREATE OR REPLACE FUNCTION questionnaire_templates_question_guard() RETURNS trigger AS $$
DECLARE
    version_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO version_status
            FROM questionnaire_templates_templateversion WHERE id = OLD.version_id;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'questions of a % questionnaire template version cannot change',
                version_status USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO version_status
            FROM questionnaire_templates_templateversion WHERE id = NEW.version_id;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'questions of a % questionnaire template version cannot change',
                version_status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER questionnaire_templates_question_guard
    BEFORE INSERT OR UPDATE OR DELETE ON questionnaire_templates_question
    FOR EACH ROW EXECUTE FUNCTION questionnaire_templates_question_guard();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS questionnaire_templates_question_guard ON questionnaire_templates_question;
DROP FUNCTION IF EXISTS questionnaire_templates_question_guard();
DROP TRIGGER IF EXISTS questionnaire_templates_version_guard
    ON questionnaire_templates_templateversion;
DROP FUNCTION IF EXISTS questionnaire_templates_version_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("questionnaire_templates", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
