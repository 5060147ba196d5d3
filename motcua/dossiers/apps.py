from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        from motcua.dossiers.intake_offerings import connect_receivers

        connect_receivers()
