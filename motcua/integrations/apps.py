from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    label = "integrations"
    verbose_name = "Kết nối, tích hợp"

    def ready(self) -> None:
        from motcua.integrations.signals import connect_receivers

        connect_receivers()
