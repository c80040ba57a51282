from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Base de connaissances"

    def ready(self) -> None:
        from kb import checks  # noqa: F401  (registers the decision-tree system check)
        from kb.lookups import register_integer_in
        from kb.middleware import guard_request_charset

        # Two gaps of Django against hostile requests, closed for the whole site.
        register_integer_in()
        guard_request_charset()
