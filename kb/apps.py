from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Base de connaissances"

    def ready(self) -> None:
        from kb import checks  # noqa: F401  (registers the decision-tree system check)
