"""Password rules shown in the page's language.

Django 5.2's message of the minimum length has no Vietnamese translation in Django's own
catalog (its text changed), so a Vietnamese page said it in English; ours is written in
Vietnamese, like every UI string, and translated in ``locale/en``.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return gettext("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }

    def get_help_text(self) -> str:
        return gettext("Mật khẩu cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }
