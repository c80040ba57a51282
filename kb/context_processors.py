from kb.snapshot import in_preview


def content_preview(request) -> dict:
    """Whether to show the « Aperçu du brouillon » banner (staff who chose the preview)."""
    return {"content_preview": in_preview(request)}
