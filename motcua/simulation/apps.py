from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "motcua.simulation"
    label = "simulation"
    verbose_name = "Dữ liệu mẫu và mô phỏng"
