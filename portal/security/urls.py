from django.urls import path

from portal.security import passkey_views, views

app_name = "security"

urlpatterns = [
    path("two-step/", views.account, name="account"),
    path("two-step/set-up/", views.setup, name="setup"),
    path("two-step/code/", views.verify, name="verify"),
    path("two-step/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-step/confirm/", passkey_views.confirm, name="confirm"),
    path("two-step/passkeys/", passkey_views.passkey_list, name="passkeys"),
    path(
        "two-step/passkeys/options/",
        passkey_views.passkey_register_options,
        name="passkey_register_options",
    ),
    path("two-step/passkeys/add/", passkey_views.passkey_add, name="passkey_add"),
    path("two-step/passkeys/<int:pk>/remove/", passkey_views.passkey_remove, name="passkey_remove"),
    path(
        "two-step/passkey/check-options/",
        passkey_views.passkey_check_options,
        name="passkey_check_options",
    ),
]
