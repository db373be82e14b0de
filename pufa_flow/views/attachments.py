"""Downloads of uploaded files: only through the row policy."""
from __future__ import annotations

from flask import Blueprint, abort, send_file
from flask_login import current_user

from ..models import Attachment
from ..models.scoping import get_visible
from ..services.attachments import path_of
from .access import roles_required

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


def send_attachment(attachment: Attachment):
    """The file with its Chinese name (werkzeug writes RFC 6266 filename* for non-ASCII names)."""
    path = path_of(attachment)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<id:attachment_id>")
@roles_required()
def download(attachment_id: int):
    return send_attachment(get_visible(Attachment, attachment_id, current_user))
