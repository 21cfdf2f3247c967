"""``opconf lsp``: a language server (pygls, stdio) over :mod:`opconf.authoring`."""
