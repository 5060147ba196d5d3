from django.contrib import admin
from django.urls import include, path

from motcua.config.api import api

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.accounts.urls")),
    path("", include("motcua.catalog.urls")),
    path("", include("motcua.portal.urls")),
    path("", include("motcua.core.urls")),
]
