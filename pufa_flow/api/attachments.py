"""/api/v1/attachments: the same download as the page, under the same row policy."""
from __future__ import annotations

from ..models import Attachment
from ..models.scoping import get_visible
from ..views.attachments import send_attachment
from .base import current_api_user, require_roles
from .spec import endpoint


@endpoint("/attachments/<id:attachment_id>/content", "GET", summary="下载附件（按数据权限）",
          tag="attachments", errors=("400", "401", "403", "404"))
@require_roles()
def download_attachment(attachment_id: int):
    return send_attachment(get_visible(Attachment, attachment_id, current_api_user()))
