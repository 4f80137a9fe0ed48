"""Cercle: the application factory.

`create_app` reads as a checklist: configuration, extensions, plumbing, areas (blueprints),
event subscribers, periodic jobs, CLI commands, error pages, then the scheduler thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from app.config import build_config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(build_config(Path(app.instance_path), config))
    configure_logging(app)
    configure_extensions(app)
    configure_plumbing(app)
    register_blueprints(app)
    register_subscribers(app)
    register_jobs(app)
    register_cli(app)
    register_error_handlers(app)
    configure_page_cache(app)
    start_scheduler(app)
    return app


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def configure_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.core import db as core_db
    from app.core.i18n import select_locale

    db.init_app(app)
    core_db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "app" / "translations"),
    )
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to continue.")
    login_manager.login_message_category = "info"
    socketio.init_app(
        app,
        async_mode="threading",
        message_queue=app.config["REDIS_URL"],
        manage_session=False,
    )


def configure_plumbing(app: Flask) -> None:
    from app.core import compression, converters, events, fragments, holes, security, templating
    from app.members import badges, tokens
    from app.members.engagement import identity

    converters.init_app(app)
    events.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    fragments.init_app(app)
    holes.init_app(app)  # areas register their viewer holes with their blueprints
    compression.init_app(app)
    badges.init_app(app)
    tokens.init_app(app)
    identity.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.api import bp as api_bp
    from app.community import bp as community_bp
    from app.core.routes import bp as core_bp
    from app.members import bp as members_bp
    from app.members.auth import bp as auth_bp
    from app.members.customers import bp as customers_bp
    from app.personalisation import bp as personalisation_bp
    from app.search import bp as search_bp
    from app.search import sources as search_sources

    app.register_blueprint(core_bp)
    app.register_blueprint(personalisation_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(members_bp)
    app.register_blueprint(community_bp)
    from app.community.ideas import bp as ideas_bp

    app.register_blueprint(ideas_bp)
    from app.community.polls import bp as polls_bp
    from app.community.reports import bp as reports_bp

    app.register_blueprint(polls_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    from app.notifications import bp as notifications_bp
    from app.realtime import sockets as realtime_sockets

    app.register_blueprint(notifications_bp)
    realtime_sockets.init_app(app)
    app.register_blueprint(search_bp)
    search_sources.register(app)  # the searchable areas' documents
    app.register_blueprint(customers_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    from app.moderation.routes import bp as moderation_routes

    app.register_blueprint(moderation_routes, url_prefix="/mod")
    from app.moderation import setup as moderation_setup

    # The write guard (sanctions), the forums' content check, the member-facing flag pages.
    moderation_setup.init_app(app)


def register_subscribers(app: Flask) -> None:
    """Every cross-area reaction, visible in one place."""
    from app.api import subscribers as api_subscribers
    from app.community import subscribers as community_subscribers
    from app.core.events import get_bus
    from app.members import subscribers as member_subscribers
    from app.moderation import subscribers as moderation_subscribers
    from app.notifications import subscribers as notification_subscribers
    from app.search import subscribers as search_subscribers

    with app.app_context():
        bus = get_bus()
        member_subscribers.register(bus)
        api_subscribers.register(bus)
        community_subscribers.register(bus)
        moderation_subscribers.register(bus)
        from app.moderation import setup as moderation_setup

        moderation_setup.register_subscribers(bus)  # moderation notices (durable)
        notification_subscribers.register(bus)
        from app.realtime import subscribers as realtime_subscribers

        realtime_subscribers.register(bus)
        search_subscribers.register(bus)
        from app.moderation import actions as moderation_actions
        from app.moderation import realtime as moderation_realtime

        moderation_actions.register(bus)  # decisions audited and told to the members
        moderation_realtime.register(bus)  # the live review queue (staff room)
        from app.community.ideas import subscribers as idea_subscribers

        idea_subscribers.register(bus)
        from app.community.forums import drafts as forum_drafts

        forum_drafts.register(bus)  # a post or an edit clears its composer draft


def register_jobs(app: Flask) -> None:
    """Every periodic job, visible in one place (run by the worker or each web process)."""
    from app.api import jobs as api_jobs
    from app.community import jobs as community_jobs
    from app.core import worker
    from app.members import customer_jobs
    from app.notifications import jobs as notification_jobs
    from app.search import jobs as search_jobs

    worker.register_jobs(app)
    notification_jobs.register(app)
    community_jobs.register(app)
    search_jobs.register(app)
    customer_jobs.register(app)
    api_jobs.register(app)
    from app.moderation import setup as moderation_setup

    moderation_setup.register_jobs(app)  # trust recompute, sanction expiry records
    from app.community.forums import drafts as forum_drafts

    forum_drafts.register_jobs(app)  # drafts untouched for 90 days are purged


def start_scheduler(app: Flask) -> None:
    from app.core.jobs import start_embedded

    start_embedded(app)


def register_cli(app: Flask) -> None:
    from app.api.cli import register as register_api_cli
    from app.community.cli import register as register_community_cli
    from app.core.cli import register as register_core_cli
    from app.members.cli import register as register_members_cli
    from app.members.customer_cli import register as register_customer_cli
    from app.search.cli import register as register_search_cli

    register_core_cli(app)
    register_members_cli(app)
    register_community_cli(app)
    register_search_cli(app)
    register_customer_cli(app)
    register_api_cli(app)
    from app.moderation import seed as moderation_seed

    moderation_seed.register(app)  # the demo queue (flask seed demo)
    from app.community.polls.cli import register as register_polls_cli

    register_polls_cli(app)
    from app.community.ideas.cli import register as register_ideas_cli

    register_ideas_cli(app)


def configure_page_cache(app: Flask) -> None:
    """Hot pages, cached whole (app/core/page_cache.py); last, after every hook."""
    from app.community.forums.routes import count_cached_topic_view, may_serve_topic
    from app.core import page_cache

    page_cache.init_app(app)
    # Members share the topic page too: a skeleton per standing, its holes filled for each.
    page_cache.cacheable(
        app, "community.topic", on_hit=count_cached_topic_view, members=may_serve_topic
    )
    page_cache.cacheable(app, "community.category")
    page_cache.cacheable(app, "community.latest")
    for endpoint in (
        "ideas.index",
        "ideas.board",
        "ideas.idea",
        "ideas.roadmap",
        "ideas.changelog",
    ):
        page_cache.cacheable(app, endpoint)


def register_error_handlers(app: Flask) -> None:
    from app.core.errorpages import init_app

    init_app(app)
