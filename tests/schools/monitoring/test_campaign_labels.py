"""A campaign's target form is shown by its name, never by its code («(pupil_pupil)»)."""

from django.utils import translation

from schools.monitoring.models import SurveyCampaign
from schools.programmes.models import MentoringForm


def test_the_target_form_is_named_not_coded() -> None:
    campaign = SurveyCampaign(target_form=MentoringForm.PUPIL_PUPIL)
    with translation.override("ru"):
        label = campaign.target_form_label
    assert label == str(MentoringForm.PUPIL_PUPIL.label) or "pupil" not in label
    assert "_" not in label and label
    assert SurveyCampaign(target_form="").target_form_label == ""
