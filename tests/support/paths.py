"""Where the repository, and the collection as Ansible sees it, are (tools/standins/paths.py), and the
test-only callback plugin that records every task result."""

from tools.standins.paths import COLLECTIONS_ROOT, REPO, ensure_collection_link

CALLBACKS = REPO / "tests" / "support" / "callback_plugins"

__all__ = ["CALLBACKS", "COLLECTIONS_ROOT", "REPO", "ensure_collection_link"]
