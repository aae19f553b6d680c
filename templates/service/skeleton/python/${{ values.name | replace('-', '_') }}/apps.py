from django.apps import AppConfig

from . import state


class ServiceConfig(AppConfig):
    name = "${{ values.name | replace('-', '_') }}"
    verbose_name = "${{ values.name }}"

    def ready(self) -> None:
        # Django has loaded settings, apps and URLs: the service can take
        # traffic. Add checks here (a warm cache, a reachable dependency)
        # before marking it ready if the service grows them.
        state.mark_ready()
