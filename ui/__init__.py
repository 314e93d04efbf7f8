"""The Streamlit app: a thin layer over `responder` (see `app.py`)."""
