"""The approval web page: an adapter over the same use cases as the command line."""
