from django.urls import path

from motcua.portal import views

app_name = "portal"

urlpatterns = [
    path("tra-cuu/", views.lookup, name="lookup"),
    path("dang-ky/", views.signup, name="signup"),
    path("nop-truc-tuyen/", views.apply_choose, name="apply_choose"),
    path("nop-truc-tuyen/<int:offering_id>/", views.apply, name="apply"),
    path("ho-so-cua-toi/", views.my_dossiers, name="my_dossiers"),
    path("ho-so-cua-toi/<str:code>/", views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", views.my_dossier_supplement, name="supplement"),
    path("ho-so-cua-toi/<str:code>/rut/", views.my_dossier_withdraw, name="withdraw"),
    path("ho-so-cua-toi/<str:code>/tep/<int:pk>/", views.my_file, name="my_file"),
]
