"""One exception tree; every message is written for a member of the communications group.

    XmessError
    ├── ConfigError          a setting is wrong: names the key and the file
    ├── SourceError          a feed or calendar could not be read: names the URL
    ├── DraftError           a draft cannot be made or changed as asked
    │   ├── TransitionError  the queue's rules forbid that move
    │   ├── UnknownDraft     no draft with that id
    │   └── TextTooLong      an edited or written text does not fit the network
    └── PublishError         the network refused or could not be reached

The CLI turns each into a one-line message and a non-zero exit; the scheduler logs it and goes on.
"""


class XmessError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(XmessError):
    pass


class SourceError(XmessError):
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
