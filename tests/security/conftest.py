"""Security regression tests reuse the web fixtures: an app on each database, people, teams, logins."""

from tests.web.conftest import (  # noqa: F401
    _fast_password_hashing,
    app,
    client,
    login_as,
    make_app,
    make_team,
    make_user,
    questionnaire_dir,
)
