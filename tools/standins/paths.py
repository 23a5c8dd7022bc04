"""Where the repository, and the collection as Ansible sees it, are."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Ansible finds the checkout through <root>/ansible_collections/spapi/onboarding -> REPO.
COLLECTIONS_ROOT = Path(os.environ.get("SPAPI_COLLECTIONS_ROOT", REPO / ".venv" / "collections"))


def ensure_collection_link():
    link = COLLECTIONS_ROOT / "ansible_collections" / "spapi" / "onboarding"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(REPO, target_is_directory=True)
    return link
