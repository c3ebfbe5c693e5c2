"""People: the email-login user model, session login/logout and `me`."""
