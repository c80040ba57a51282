"""Who may edit and publish what: national editors the national content, a team's editors
that team's overlay (its additions, and the lines, tutorials and known problems whose `team`
is its slug). Neither publishes the other's unfinished work; a superuser may do everything."""

from kb import selection


def is_national_editor(user) -> bool:
    return user.is_superuser or user.has_perm("kb.edit_national_content")


def teams_of(user) -> set[str]:
    """The teams whose overlay `user` edits: those they belong to."""
    if not user.is_authenticated:
        return set()
    return set(user.teams.filter(is_national=False).values_list("slug", flat=True))


def owner(collection: str, item: dict | None) -> str:
    """The team an object of the document belongs to, "" for the national content."""
    if item is None:
        return ""
    if collection == "overlays":
        return item["slug"]
    return item.get("team", "")


def may_edit(user, team: str) -> bool:
    if user.is_superuser:
        return True
    if team:
        return team in teams_of(user)
    return user.has_perm("kb.edit_national_content")


def publishable(user, pending: list, published: dict, draft: dict) -> set[str]:
    """The keys of the pending changes `user` may publish: the object's owner, before and
    after the change, must be theirs."""
    if user is None or user.is_superuser:
        return {change.key for change in pending}
    before = {(c, item["slug"]): item for c in selection.PREFIXES for item in published.get(c, [])}
    after = {(c, item["slug"]): item for c in selection.PREFIXES for item in draft.get(c, [])}
    national = user.has_perm("kb.edit_national_content")
    mine = teams_of(user)

    def allowed(team):
        return team in mine if team else national

    return {change.key for change in pending
            if all(allowed(owner(change.collection, document.get((change.collection,
                                                                    change.slug))))
                   for document in (before, after) if (change.collection, change.slug)
                   in document)}
