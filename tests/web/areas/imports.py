"""Imports beyond the upload and the preview: the template to fill in, the refused rows."""

from __future__ import annotations

from accounts.models import Role

TENANT_ALLOWED = {
    "import-template": {Role.COORDINATOR},
    # the page-test batch has a row without a birth date: its refused rows can be downloaded
    "import-rejected": {Role.COORDINATOR},
}
TENANT_ID_OF = {
    "import-rejected": "importbatch",
}
# Downloads (XLSX), not framed pages.
FRAGMENTS = {"import-template", "import-rejected"}
