"""The store → YAML direction: the one emitter behind every YAML file opconf writes.

- :mod:`~opconf.emit.engine`: the ruamel.yaml set-up (house layout, opconf's scalar rules);
- :mod:`~opconf.emit.rewrite`: comment-preserving rewrites of existing text (``fmt``), with
  :mod:`~opconf.emit.layout` and :mod:`~opconf.emit.comments`;
- :mod:`~opconf.emit.order`: the canonical key order of documents;
- :mod:`~opconf.emit.documents`: store objects as new documents (``export``), laid out by
  :mod:`~opconf.emit.direct` (ruamel writes every value that is not trivially plain);
- :mod:`~opconf.emit.export`: which objects go to which files; :mod:`~opconf.emit.files`
  writes them (atomically, never overwriting without ``force``);
- :mod:`~opconf.emit.refs`: the reference data snapshot (``refs pull``).
"""
