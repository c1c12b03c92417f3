"""One exception tree; every message is written for a member of the communications group.

    XmessError
    ├── ConfigError          a setting is wrong: names the key and the file
    ├── SourceError          a feed or calendar could not be read: names the URL
    ├── AccountError         a web account cannot be made, found or used as asked
    ├── DraftError           a draft cannot be made or changed as asked
    │   ├── TransitionError  the queue's rules forbid that move
    │   ├── UnknownDraft     no draft with that id
    │   └── TextTooLong      an edited or written text does not fit the network
    ├── PublishError         the network refused the post
    │   ├── PublishDeferred  not now (a rate limit): try again at `until`
    │   ├── PublishUncertain no clear answer (timeout, cut connection, 5xx): it may be out
    │   ├── PublishBlocked   nothing can go out (credentials refused): stop, keep approvals
    │   └── RepliesRefused   the network refuses the account's replies: a thread stops there
    └── NotifyError          the mail server did not take an e-mail to the editors

The CLI turns each into a one-line message and a non-zero exit; the scheduler logs it and goes on.
"""

from datetime import datetime

from bot.models import PublisherProblemKind


class XmessError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(XmessError):
    pass


class SourceError(XmessError):
    pass


class AccountError(XmessError):
    pass


class DraftError(XmessError):
    pass


class TransitionError(DraftError):
    pass


class UnknownDraft(DraftError):
    pass


class TextTooLong(DraftError):
    pass


class PublishError(XmessError):
    pass


class PublishDeferred(PublishError):
    """A limit: `until` is when it resets; `problem` says which limit, for the health page."""

    def __init__(
        self,
        message: str,
        until: datetime,
        problem: PublisherProblemKind = PublisherProblemKind.RATE_LIMIT,
    ) -> None:
        super().__init__(message)
        self.until = until
        self.problem = problem


class PublishUncertain(PublishError):
    """The post may or may not exist: ask the network (`Publisher.lookup`) before retrying."""


class PublishBlocked(PublishError):
    """No post can go out until a person fixes something (e.g. the credentials)."""


class RepliesRefused(PublishError):
    """The network refused a reply to the account's own post (X restricted API replies in
    2026): the rest of a thread must be posted by a person."""


class NotifyError(XmessError):
    """An e-mail to the editors could not be sent; the next run tries again."""
