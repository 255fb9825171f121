"""Use cases over a database session: the web and the CLI both call these."""


class ServiceError(Exception):
    """A request that cannot be carried out; the message tells the user what to do."""


class NotFound(ServiceError):
    """The object does not exist or the actor may not see it (shown as 404)."""
