"""The web layer: thin blueprints over the services, plus request-wide concerns."""

from __future__ import annotations

from flask import Flask


def init_web(app: Flask) -> None:
    from competency import logs
    from competency.web import assets, errors, limits, metrics, requests, security
    from competency.web.account import bp as account_bp
    from competency.web.admin import bp as admin_bp
    from competency.web.assess import bp as assess_bp
    from competency.web.auth import bp as auth_bp
    from competency.web.auth import init_auth
    from competency.web.cycles import bp as cycles_bp
    from competency.web.jobs import bp as jobs_bp
    from competency.web.main import bp as main_bp
    from competency.web.people import bp as people_bp
    from competency.web.reports import bp as reports_bp
    from competency.web.teams import bp as teams_bp

    logs.init_app(app)
    metrics.init_app(app)
    requests.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    init_auth(app)
    errors.init_app(app)
    limits.init_app(app)
    for blueprint in (main_bp, auth_bp, assess_bp, people_bp, admin_bp, teams_bp, cycles_bp, reports_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(metrics.bp)
