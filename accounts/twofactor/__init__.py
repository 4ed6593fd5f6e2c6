"""The second factor: a TOTP app (django-otp's TOTPDevice) and one-time recovery codes (its
StaticDevice), in the schema of the host like the user.

Required for the roles in ``OTP_REQUIRED_ROLES`` (regional administrators and coordinators by
default), whichever way they signed in (password or the region's provider); anyone else may turn
it on, and is then asked for it too. A session that has not passed it reaches only the second
factor's own pages and sign-out (``middleware``); an API token is issued only with a code
(``accounts.views.TokenView``). Failed codes count towards django-axes' lockout like failed
passwords."""
