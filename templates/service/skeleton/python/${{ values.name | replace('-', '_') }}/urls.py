from django.urls import path

from . import views

# /healthz and /readyz are answered by ProbeMiddleware before URL routing (so
# they skip the host check); they are listed here too so that reverse() and
# readers find them.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("api/hello", views.hello, name="hello"),
]

handler404 = "${{ values.name | replace('-', '_') }}.views.not_found"
handler500 = "${{ values.name | replace('-', '_') }}.views.server_error"
