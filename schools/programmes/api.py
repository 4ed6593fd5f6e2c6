"""Public interface of the programmes app (numbers only for the regional layer)."""

from schools.programmes.models import Programme


def programme_count() -> int:
    return Programme.objects.count()
