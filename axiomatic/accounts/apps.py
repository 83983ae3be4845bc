from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "axiomatic.accounts"
    label = "accounts"
    verbose_name = "Logins"
