"""The dry-run publisher: appends each post to a JSON Lines outbox instead of a network.

It is the default, so a new installation can run end to end without credentials. Each line is
one object: `draft_id`, `index` (the post's place in a thread, 0 for the first), `network`,
`text`, `reply_to` (the post it answers, or null), `image_url` and `image_alt`, `published_at`
(ISO 8601 UTC), `post_id`. The line
is written and flushed to disk in one `write`, so after a crash the outbox says for certain
whether a draft went out (`lookup`).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from bot.errors import PublishError
from bot.models import OutgoingPost, PublishedPost


class DryRunPublisher:
    network = "x"

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    def publish(self, post: OutgoingPost, now: datetime) -> PublishedPost:
        suffix = f"-{post.index + 1}" if post.index else ""
        sent = PublishedPost(post_id=f"dry-run-{post.draft_id}{suffix}", url=None, published_at=now)
        line = {
            "draft_id": post.draft_id,
            "index": post.index,
            "network": self.network,
            "text": post.text,
            "reply_to": post.reply_to,
            "image_url": post.image.url if post.image else None,
            "image_alt": post.image.alt if post.image else None,
            "published_at": now.isoformat(),
            "post_id": sent.post_id,
        }
        self._append(json.dumps(line, ensure_ascii=False) + "\n")
        return sent

    def delete(self, post_id: str, now: datetime) -> None:
        """Recorded as its own line: the outbox is append-only, like the history."""
        line = {"deleted_post_id": post_id, "deleted_at": now.isoformat()}
        self._append(json.dumps(line) + "\n")

    def lookup(self, post: OutgoingPost) -> PublishedPost | None:
        for line in self._lines():
            same_post = (line.get("draft_id"), line.get("index", 0)) == (post.draft_id, post.index)
            if same_post and "text" in line:
                return PublishedPost(
                    post_id=str(line["post_id"]),
                    url=None,
                    published_at=datetime.fromisoformat(str(line["published_at"])),
                )
        return None

    def _append(self, line: str) -> None:
        """Append one line; a line left unfinished by a crash is closed first, not joined."""
        try:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a+b") as handle:
                if handle.tell() and not _ends_with_newline(handle):
                    line = "\n" + line
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise PublishError(f"no s'ha pogut escriure a {self.outbox}: {error}") from None

    def _lines(self) -> list[dict[str, object]]:
        try:
            raw = self.outbox.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise PublishError(f"no s'ha pogut llegir la safata {self.outbox}: {error}") from None
        return [json.loads(line) for line in raw if line.strip().endswith("}")]


def _ends_with_newline(handle: BinaryIO) -> bool:
    handle.seek(-1, os.SEEK_END)
    return handle.read(1) == b"\n"
