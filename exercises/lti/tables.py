"""The LTI tables, kept in the gradebook's database beside its own (a MetaData of their own, created
on first use like exercises/signin_tables.py; SQLite and PostgreSQL alike):

    lti_cache     key, value (JSON), expires_at: pylti1p3's launch data, states and nonces. A nonce is
                  taken (deleted) when a launch uses it, so a replayed launch finds none and is refused.
    lti_handoffs  token_hash, ..., expires_at, used_at: what a validated launch hands to the Streamlit
                  page (exercises/lti/launch.py). The page redeems the token once, within a minute.
    lti_links     one row per (issuer, client, deployment, context, assignment): where scores go (the
                  line item's URL, once known) and how to get a token for it
    lti_outbox    one row per (link, student): the latest score to send, and whether it was sent.
                  A newer score replaces an unsent one; the worker sends the latest only.

`ensure(engine)` creates whichever are missing (once per engine and process). Never imports streamlit.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.engine import Engine

from exercises.signin_tables import create_once, insert  # noqa: F401  (insert: the dialect's, for exercises/lti)

_CREATE_LOCK_KEY = 0x4C_54_49_33  # PostgreSQL advisory lock held while creating the tables ("LTI3")
URL = 2000

metadata = MetaData()

cache = Table(
    "lti_cache", metadata,
    Column("key", String(300), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires_at", Float, nullable=False),
)

handoffs = Table(
    "lti_handoffs", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("student_id", String(200), nullable=False),
    Column("role", String(20), nullable=False),  # student, instructor
    Column("kind", String(20), nullable=False),  # resource, deep_link
    Column("assignment_id", String(200)),
    Column("position", Integer),
    Column("link_id", Integer),
    Column("payload", Text),  # deep linking: its settings, deployment and registration (JSON)
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
)

links = Table(
    "lti_links", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuer", String(URL), nullable=False),
    Column("client_id", String(300), nullable=False),
    Column("deployment_id", String(300), nullable=False),
    Column("context_id", String(300), nullable=False),
    Column("assignment_id", String(200), nullable=False),
    Column("resource_link_id", String(300)),
    Column("lineitems_url", String(URL)),
    Column("lineitem_url", String(URL)),  # the line item scores go to, once known (the launch's, or found/created)
    Column("scopes", Text, nullable=False),  # JSON list
    Column("score_maximum", Float, nullable=False),
    UniqueConstraint("issuer", "client_id", "deployment_id", "context_id", "assignment_id"),
)

outbox = Table(
    "lti_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("link_id", Integer, nullable=False),
    Column("student_id", String(200), nullable=False),
    Column("lms_user_id", String(300), nullable=False),  # the platform's sub
    Column("score", Float, nullable=False),  # 0..1 of the assignment
    Column("progress", String(20), nullable=False),  # activityProgress: InProgress, Completed
    Column("scored_at", String(40), nullable=False),  # ISO 8601, the score's timestamp
    Column("sent", Boolean, nullable=False),
    Column("tries", Integer, nullable=False),
    Column("next_try_at", Float, nullable=False),
    Column("claimed_until", Float, nullable=False),
    Column("last_error", Text),
    Column("sent_score", Float),  # what the platform has (None: nothing yet)
    UniqueConstraint("link_id", "student_id"),
)

_ready: weakref.WeakSet = weakref.WeakSet()


def ensure(engine: Engine) -> Engine:
    """CREATE TABLE for the LTI tables that are missing. Returns the engine."""
    return create_once(engine, metadata, _CREATE_LOCK_KEY, _ready)
