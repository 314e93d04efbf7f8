"""Responder's Streamlit app: page config, access check, sidebar, navigation.

Run with `responder run` (app + worker) or `streamlit run ui/app.py`. Pages live in `ui/pages/`;
a page that is not written yet is simply left out of the navigation.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import access, sidebar

PAGES_DIR = Path(__file__).resolve().parent / "pages"

#: The navigation, in order: (file, title, icon, url path). Inbox is the default page.
PAGES: list[tuple[str, str, str, str]] = [
    ("inbox.py", "Inbox", ":material/inbox:", "inbox"),
    ("review.py", "Review", ":material/task_alt:", "review"),
    ("followups.py", "Follow-ups", ":material/schedule:", "followups"),
    ("senders.py", "Senders", ":material/group:", "senders"),
    ("dashboard.py", "Dashboard", ":material/monitoring:", "dashboard"),
    ("prompts.py", "Prompts", ":material/edit_note:", "prompts"),
    ("import_page.py", "Import", ":material/upload_file:", "import"),
    ("settings.py", "Settings", ":material/settings:", "settings"),
]
DEFAULT_PAGE = "inbox.py"


def page_specs(pages_dir: Path | None = None) -> list[tuple[Path, str, str, str]]:
    """(path, title, icon, url path) for the files in PAGES that exist on disk, in order."""
    folder = pages_dir or PAGES_DIR
    return [
        (folder / filename, title, icon, url_path)
        for filename, title, icon, url_path in PAGES
        if (folder / filename).is_file()
    ]


def available_pages() -> list[st.Page]:
    """The navigation's `st.Page`s; the Inbox is the default page."""
    return [
        st.Page(path, title=title, icon=icon, default=True)
        if path.name == DEFAULT_PAGE
        else st.Page(path, title=title, icon=icon, url_path=url_path)
        for path, title, icon, url_path in page_specs()
    ]


def main() -> None:
    st.set_page_config(
        page_title="Responder",
        page_icon=":material/mark_email_read:",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    if not access.gate():
        st.stop()
    pages = available_pages()
    if not pages:
        st.error("No pages found in ui/pages/.")
        st.stop()
    nav = st.navigation(pages)
    sidebar.render()
    nav.run()


if __name__ == "__main__":  # Streamlit runs the script as __main__; tests import it
    main()
