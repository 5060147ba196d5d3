from django.urls import path

from motcua.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("ho-so/<str:code>/", views.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("ho-so/<str:code>/tep/<int:pk>/", views.attachment, name="attachment"),
    path("ho-so/<str:code>/tai-len/", views.upload, name="upload"),
    path("ho-so/<str:code>/in/<str:form>/", views.print_form, name="print"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("tiep-nhan/<str:code>/", views.intake_done, name="intake_done"),
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("so-theo-doi/", views.register, name="register"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("bao-mat/", views.security, name="security"),
    path("xac-thuc/", views.verify, name="verify"),
]
