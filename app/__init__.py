"""Streamlit pages and the widgets and figures they share. No math here: pages call core."""
