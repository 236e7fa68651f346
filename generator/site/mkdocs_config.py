"""A site's MkDocs configuration: the generator's defaults with the folder's own mkdocs.yml over them.

A hospital's mkdocs.yml sets only what it changes (site name, disclaimer, palette) and names no path into
the generator. The two are merged as MkDocs merges a file with the one it INHERITs:

- a mapping merges key by key, at every depth: ``theme: {palette: {primary: teal}}`` keeps the default
  theme's name and features and the palette's other keys; ``extra: {disclaimer: ...}`` keeps other extras;
- any other value, a list included, replaces the default's whole: a ``plugins`` list must name
  ``search`` and ``protocols`` again, a ``markdown_extensions`` list every extension the pages need;
- ``theme: material`` is read as ``theme: {name: material}``, so it keeps the default theme's settings;
- an ``INHERIT`` in the folder's file is followed (relative to that file) before the defaults go under.

The merge works on YAML nodes, not on loaded values, and gives YAML text that MkDocs' own loader reads, so
``!ENV`` and ``!relative`` keep their meaning, and MkDocs resolves relative paths (``theme.custom_dir``)
against the folder's mkdocs.yml, whose path goes with the text (``MergedConfig.path``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from generator.resources import default_mkdocs_file

_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_MAX_INHERIT_DEPTH = 16


class SiteConfigError(Exception):
    """The folder's mkdocs.yml cannot be read or merged; the message names the file and what to do."""


@dataclass(frozen=True)
class MergedConfig:
    path: Path  # the folder's mkdocs.yml, or the generator's default when there is none: what MkDocs is told
    text: str  # the merged configuration as YAML


def own_config_file(config_file: Path | None = None, cwd: Path | None = None) -> Path | None:
    """The site's own configuration: the given file, else mkdocs.yml in the current folder, else none."""
    if config_file is not None:
        return config_file
    local = (cwd or Path.cwd()) / "mkdocs.yml"
    return local if local.is_file() else None


def merged_config(own_file: Path | None) -> MergedConfig:
    """The generator's defaults merged with ``own_file`` (the module docstring says how); raises SiteConfigError."""
    default_file = default_mkdocs_file()
    merged = _compose(default_file)
    if own_file is not None:
        merged = _merge(merged, _with_inherited(own_file, _compose_own(own_file), depth=0))
    text = yaml.serialize(merged, Dumper=yaml.SafeDumper, allow_unicode=True)
    return MergedConfig(own_file if own_file is not None else default_file, text)


def directory_urls(own_file: Path | None) -> bool:
    """The merged configuration's ``use_directory_urls`` (MkDocs' default: true). Render writes every
    page's links for it before MkDocs starts, so it is read here from the same merged text MkDocs loads;
    raises SiteConfigError unless it is a plain true or false."""
    merged = merged_config(own_file)
    node = yaml.compose(merged.text, Loader=yaml.SafeLoader)
    values = [value for key, value in node.value if _key(key) == "use_directory_urls"] if node else []
    if not values:
        return True
    value = values[-1]
    if isinstance(value, ScalarNode) and value.tag == _BOOL_TAG:
        return bool(yaml.SafeLoader.bool_values[value.value.lower()])
    raise SiteConfigError(f"{merged.path}: use_directory_urls must be true or false (no !ENV): the generator "
                          "writes every link of the site for it")


class ReloadingConfigStream(io.BytesIO):
    """The merged configuration as the file object MkDocs' ``load_config`` accepts, merged afresh whenever it
    is read from the start, so that ``protocols serve`` picks up an edit to mkdocs.yml on the next rebuild.

    MkDocs seeks an open config stream to 0, reads it and closes it on every load, and ``serve`` loads the
    configuration again for each rebuild: the stream therefore ignores ``close``.
    """

    def __init__(self, make_text: Callable[[], str]) -> None:
        super().__init__()
        self._make_text = make_text

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if offset == 0 and whence == io.SEEK_SET:
            super().seek(0)
            super().truncate()
            super().write(self._make_text().encode("utf-8"))
        return super().seek(offset, whence)

    def close(self) -> None:
        pass


def _compose(file: Path) -> MappingNode:
    try:
        with file.open("rb") as stream:
            node = yaml.compose(stream, Loader=yaml.SafeLoader)
    except OSError as error:
        raise SiteConfigError(f"{file}: cannot be read ({error.strerror or error})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SiteConfigError(f"{file}: not a valid YAML file: {_one_line(error)}") from None
    if node is None:
        return MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(node, MappingNode):
        raise SiteConfigError(f"{file}: a MkDocs configuration is a mapping of settings (site_name: ..., theme: ...)")
    return node


def _compose_own(file: Path) -> MappingNode:
    """A site's file, with ``theme: NAME`` read as ``theme: {name: NAME}`` so that it merges with the default."""
    node = _compose(file)
    pairs = [
        (key, MappingNode("tag:yaml.org,2002:map", [(ScalarNode(_STR_TAG, "name"), value)]))
        if _key(key) == "theme" and _is_plain_string(value)
        else (key, value)
        for key, value in node.value
    ]
    return MappingNode(node.tag, pairs, flow_style=node.flow_style)


def _with_inherited(file: Path, node: MappingNode, depth: int) -> MappingNode:
    """``node`` merged over the file its INHERIT key names (followed recursively), without the key."""
    inherit = [(key, value) for key, value in node.value if _key(key) == "INHERIT"]
    if not inherit:
        return node
    if depth >= _MAX_INHERIT_DEPTH:
        raise SiteConfigError(f"{file}: INHERIT goes more than {_MAX_INHERIT_DEPTH} files deep (a cycle?)")
    value = inherit[-1][1]
    if not isinstance(value, ScalarNode) or not value.value:
        raise SiteConfigError(f"{file}: INHERIT must be the path of another YAML file")
    parent_file = (file.parent / value.value).resolve()
    if not parent_file.is_file():
        raise SiteConfigError(
            f"{file}: INHERIT: {value.value} does not exist at {parent_file}; the generator's defaults apply "
            "without INHERIT, so remove the line if it pointed at the generator's default_mkdocs.yml"
        )
    own = MappingNode(node.tag, [(key, item) for key, item in node.value if _key(key) != "INHERIT"])
    return _merge(_with_inherited(parent_file, _compose_own(parent_file), depth + 1), own)


def _merge(base: Node, own: Node) -> Node:
    """``own`` over ``base``: mappings key by key, at every depth; anything else replaces."""
    if not (isinstance(base, MappingNode) and isinstance(own, MappingNode)):
        return own
    pairs = list(base.value)
    index = {_key(key): position for position, (key, _value) in enumerate(pairs) if _key(key) is not None}
    for key, value in own.value:
        name = _key(key)
        if name is not None and name in index:
            position = index[name]
            pairs[position] = (key, _merge(pairs[position][1], value))
        else:
            if name is not None:
                index[name] = len(pairs)
            pairs.append((key, value))
    return MappingNode(base.tag, pairs, flow_style=base.flow_style)


def _key(node: Node) -> str | None:
    return node.value if _is_plain_string(node) else None


def _is_plain_string(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _STR_TAG


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
