"""Attention Lab with the LTI 1.3 endpoints (app/lti_routes.py) beside its pages: Streamlit's st.App
serves streamlit_app.py (every page, unchanged) plus the routes /lti/login, /lti/launch, /lti/jwks and
/lti/deep-link. ./run_app.sh and run_class.sh start this file instead of streamlit_app.py when
ATTENTION_LAB_LTI_PLATFORMS is set (README, 'Inside an LMS')."""

from contextlib import asynccontextmanager

import streamlit as st

from app.lti_routes import routes, start_outbox_worker


@asynccontextmanager
async def lifespan(_app):
    start_outbox_worker()
    yield


app = st.App("streamlit_app.py", routes=routes(), lifespan=lifespan)
