"""How `protocols serve` learns of a save: inotify where the system has it, else polling as MkDocs does, and
only the events that change the library (generator/site/dev_server.py)."""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.livereload import LiveReloadServer
from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_DELETED,
    EVENT_TYPE_MOVED,
    EVENT_TYPE_OPENED,
    FileModifiedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

log = logging.getLogger("mkdocs.protocols.serve")


def watch_for_saves(server: LiveReloadServer, paths: list[str]) -> None:
    """Watch ``paths`` through inotify where the system has it, else by polling as MkDocs does.

    MkDocs polls: every half second it lists and stats every file of the protocols folder (4,000 files at
    N = 1,000), which costs a save up to half a second before the rebuild starts and takes the interpreter
    from the rebuild all the while. inotify reports a save at once and costs nothing in between.
    """
    try:
        from watchdog.observers.inotify import InotifyObserver

        probe = InotifyObserver()
        for path in paths:
            probe.schedule(FileSystemEventHandler(), path, recursive=True)
        probe.start()  # sets the watches in this thread: a system without inotify or out of watches fails here
        probe.stop()
        probe.join()
        server.observer = _save_observer(InotifyObserver)()
    except (ImportError, OSError) as error:
        log.info(f"Watching for saves by polling ({error})")
    for path in paths:
        server.watch(path)


class SavesOnly(FileSystemEventHandler):
    """Passes on what changes the library, as MkDocs' handler expects it: not a file opened or read (the
    loader's own reads would start the next rebuild), and a folder created, moved or deleted as a file event
    (inotify reports only the folder when a protocol's folder is moved away; MkDocs ignores folder events)."""

    def __init__(self, handler: FileSystemEventHandler) -> None:
        self.handler = handler

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.event_type in (EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE):
            return
        if event.is_directory:
            if event.event_type not in (EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MOVED):
                return  # a folder "modified" accompanies the event of the file that changed in it
            event = FileModifiedEvent(event.src_path)
        self.handler.dispatch(event)


def _save_observer(observer: type) -> type:
    class SaveObserver(observer):  # type: ignore[misc, valid-type]
        def schedule(self, event_handler: FileSystemEventHandler, path: str, **options: Any) -> Any:
            return super().schedule(SavesOnly(event_handler), path, **options)

    return SaveObserver
