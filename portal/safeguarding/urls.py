from django.urls import path

from portal.safeguarding import views

app_name = "safeguarding"

urlpatterns = [
    # Where a school site contact starts; its address is older than this app's pages.
    path("accounts/site/", views.site_contact_home, name="site_home"),
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/new/", views.concern_raise, name="concern_raise"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/acknowledge/", views.concern_acknowledge, name="concern_acknowledge"),
    path("concerns/<int:pk>/notes/", views.concern_add_note, name="concern_add_note"),
    path("concerns/<int:pk>/close/", views.concern_close, name="concern_close"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("matches-needing-support/", views.support_list, name="support_list"),
]
