"""Writers: the faces that turn the stages' codes into files and words."""

__all__: list[str] = []
