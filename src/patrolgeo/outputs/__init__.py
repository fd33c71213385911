"""Writers: files and pages people read, rendered in the language of the call."""

__all__: list[str] = []
