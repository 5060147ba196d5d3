from django.contrib.auth import views as auth_views
from django.urls import path

from motcua.accounts.views import MotcuaLoginView

urlpatterns = [
    path("dang-nhap/", MotcuaLoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
]
