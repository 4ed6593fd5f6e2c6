"""The institution's public programme page at ``/public/`` (no login: what its own website
shows, or embeds from ``/public/embed/``), its public documents, and the coordinator's page
that chooses what is shown, previews it unsaved and publishes documents."""

from __future__ import annotations

from typing import Any, cast

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.actor import actor_of
from accounts.api import site_url
from config.office import institution
from config.pages import COORDINATOR, ObjectPage, add_service_errors, is_public, role_required
from schools.publication import access as publication_access
from schools.publication import cache as publication_cache
from schools.publication import selectors, services
from schools.publication.models import PublicDocument, PublicPage
from schools.web.forms_public import PublicDocumentForm, PublicPageForm

coordinator_page = role_required(COORDINATOR, scope="tenant")


def _host_only(request: HttpRequest) -> None:
    if is_public(request):  # the regional host has no programme of its own
        raise Http404


def _content_html(page: PublicPage, *, preview: bool = False) -> SafeString:
    """The content as visitors see it, rendered once per institution and language and shared
    for a minute (``schools.publication.cache``); a preview is always built anew."""
    html = None if preview else publication_cache.content_html_get(page=page)
    if html is None:
        content = selectors.public_content(page=page)
        html = render_to_string("school/public_content.html", {"content": content})
        if not preview:
            publication_cache.content_html_set(page=page, html=html)
    return mark_safe(html)  # noqa: S308  # rendered by the template, escaped there


def _public_context() -> dict[str, Any]:
    """What the public page and its embeddable copy show: the content only when published."""
    page = selectors.page_settings()
    return {
        "page": page,
        "institution_name": str(getattr(institution(), "name", "") or ""),
        "content_html": _content_html(page) if page.is_published else "",
    }


@require_safe
def public_page(request: HttpRequest) -> HttpResponse:
    _host_only(request)
    return render(request, "school/public_page.html", _public_context())


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # any school's own site may embed it
def public_embed(request: HttpRequest) -> HttpResponse:
    """The same content without the workspace's menu, for an iframe on the school's site."""
    _host_only(request)
    return render(request, "school/public_embed.html", _public_context())


@require_safe
def public_document(request: HttpRequest, pk: int) -> HttpResponse:
    _host_only(request)
    page = selectors.page_settings()
    document = PublicDocument.objects.filter(pk=pk, is_public=True).first()
    if document is None or not (page.is_published and page.show_documents):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = document.file.name.rsplit("/", 1)[-1]
    return cast(HttpResponse, FileResponse(handle, as_attachment=False, filename=name))


def _settings_page(
    request: HttpRequest,
    form: PublicPageForm,
    *,
    page: PublicPage,
    document_form: PublicDocumentForm | None = None,
    preview: PublicPage | None = None,
    status: int = 200,
) -> HttpResponse:
    host = request.get_host()
    context = {
        "form": form,
        "document_form": document_form or PublicDocumentForm(),
        "documents": PublicDocument.objects.all(),
        "content_html": (
            _content_html(preview, preview=True) if preview is not None else _content_html(page)
        ),
        "previewing": preview is not None,
        "public_url": f"{site_url(host)}{reverse('school:public')}",
        "embed_url": f"{site_url(host)}{reverse('school:public-embed')}",
    }
    return render(request, "school/public_settings.html", context, status=status)


@require_http_methods(["GET", "POST"])
@coordinator_page
def public_settings(request: HttpRequest) -> HttpResponse:
    page = selectors.page_settings()
    if request.method == "GET":
        return _settings_page(request, PublicPageForm(instance=page), page=page)
    form = PublicPageForm(request.POST, instance=page)
    if not form.is_valid():  # the check wrote the posted values into ``page``: read it again
        return _settings_page(request, form, page=selectors.page_settings(), status=400)
    if request.POST.get("action") == "preview":
        unsaved = form.save(commit=False)  # shown, not stored (``page`` itself, changed)
        return _settings_page(request, PublicPageForm(request.POST), page=unsaved, preview=unsaved)
    services.public_page_update(actor=actor_of(request), **form.cleaned_data)
    messages.success(request, _("The public page is saved."))
    return redirect("school:public-settings")


@require_POST
@coordinator_page
def public_document_add(request: HttpRequest) -> HttpResponse:
    form = PublicDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.public_document_add(actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document is published."))
            return redirect("school:public-settings")
    page = selectors.page_settings()
    return _settings_page(
        request, PublicPageForm(instance=page), page=page, document_form=form, status=400
    )


class PublicDocumentDelete(ObjectPage):
    """Remove a document from the public page: the coordinator."""

    roles = COORDINATOR
    http_method_names = ["post"]
    access_by_id = staticmethod(publication_access.access_public_document_by_id)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        services.public_document_remove(actor=self.actor, document=self.object)
        messages.success(request, _("The document is removed from the public page."))
        return redirect("school:public-settings")


public_document_delete = PublicDocumentDelete.as_view()
