from django.db.models import QuerySet

from schools.programmes.models import Programme


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.all()
