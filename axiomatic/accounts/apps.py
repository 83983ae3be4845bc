from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "axiomatic.accounts"
    label = "accounts"
    verbose_name = "Logins"

    def ready(self) -> None:
        from axiomatic.accounts import services, tasks

        # The reset email goes out after commit, from a task (the token is made there, never queued).
        services.password_reset_email_queue.connect(tasks.send_password_reset_email.delay)
